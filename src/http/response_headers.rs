//! Adds the request id and security headers to every response, ours or a static asset's, and hands it to the
//! runtime.

use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::JsValue;
use worker::{Headers, Response, ResponseBody};

use super::RequestContext;

// The fixed headers live in JS so that a response gets them in one call: setting them from Rust re-encodes
// every name and value into a fresh JS string on every request. The CSP allows no third-party origin anywhere:
// scripts, styles, fonts, images and connections are same-origin only.
// A body we built (JSON, text, small bytes) is turned into the runtime's Response in the same call, rather than
// through workers-rs's conversion (a fresh Uint8Array, a ResponseInit filled property by property): most of what
// answering a small request cost across the wasm boundary.
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
export function respond_text(text, status, headers, https, requestId) {
  set_security_headers(headers, https, requestId);
  // A string body gets text/plain unless the headers name a type, so an untyped one goes as bytes.
  const body = text.length === 0 ? null : headers.has("content-type") ? text : new TextEncoder().encode(text);
  return new Response(body, { status, headers });
}
export function respond_bytes(bytes, status, headers, https, requestId) {
  set_security_headers(headers, https, requestId);
  return new Response(bytes.length === 0 ? null : bytes.slice(), { status, headers });
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn set_security_headers(headers: &JsValue, https: bool, request_id: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch)]
    fn respond_text(
        text: &str,
        status: u16,
        headers: &JsValue,
        https: bool,
        request_id: &str,
    ) -> Result<worker::web_sys::Response, JsValue>;
    #[wasm_bindgen(catch)]
    fn respond_bytes(
        bytes: &[u8],
        status: u16,
        headers: &JsValue,
        https: bool,
        request_id: &str,
    ) -> Result<worker::web_sys::Response, JsValue>;
}

/// A body this large is copied as bytes rather than decoded into a JS string.
const TEXT_BODY_MAX: usize = 64 * 1024;

/// Adds the headers and returns the runtime's Response; asset responses arrive here already copied into mutable
/// headers (see `assets`). A streamed body (and anything workers-rs carries beside it) goes through workers-rs.
pub fn to_runtime(response: Response, ctx: &RequestContext) -> worker::Result<worker::web_sys::Response> {
    let (status, https, id) = (response.status_code(), ctx.is_https, ctx.request_id.as_str());
    let headers = &response.headers().0;
    // Our built bodies carry only a status and headers (no WebSocket, `cf` or manual encoding: nothing here sets them).
    if let ResponseBody::Body(bytes) = response.body() {
        let built = match std::str::from_utf8(bytes) {
            Ok(text) if bytes.len() <= TEXT_BODY_MAX => respond_text(text, status, headers, https, id),
            _ => respond_bytes(bytes, status, headers, https, id),
        };
        return Ok(built?);
    }
    set_security_headers(headers, https, id)?;
    Ok(response.into())
}

/// A response whose headers can be changed: fetched responses (static assets) have immutable ones.
pub fn with_mutable_headers(response: Response) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    Ok(response.with_headers(headers))
}
