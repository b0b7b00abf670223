//! Adds the request id and security headers to every response, ours or a static asset's.

use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::JsValue;
use worker::{Headers, Response};

use super::RequestContext;

// The fixed headers live in JS so that a response gets them in one call: setting them from Rust re-encodes
// every name and value into a fresh JS string on every request. The CSP allows no third-party origin anywhere:
// scripts, styles, fonts, images and connections are same-origin only.
#[wasm_bindgen(inline_js = r#"
const FIXED = [
  ["content-security-policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; report-uri /api/csp-report"],
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "strict-origin-when-cross-origin"],
  ["x-frame-options", "DENY"],
  ["cross-origin-opener-policy", "same-origin"],
  ["permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
];
export function set_security_headers(headers, https, requestId) {
  for (const [name, value] of FIXED) headers.set(name, value);
  if (https) headers.set("strict-transport-security", "max-age=63072000; includeSubDomains");
  headers.set("x-request-id", requestId);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn set_security_headers(headers: &JsValue, https: bool, request_id: &str) -> Result<(), JsValue>;
}

/// Adds the headers in place; asset responses arrive here already copied into mutable headers (see `assets`).
pub fn finish(response: Response, ctx: &RequestContext) -> worker::Result<Response> {
    set_security_headers(&response.headers().0, ctx.is_https, ctx.request_id.as_str())?;
    Ok(response)
}

/// A response whose headers can be changed: fetched responses (static assets) have immutable ones.
pub fn with_mutable_headers(response: Response) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    Ok(response.with_headers(headers))
}
