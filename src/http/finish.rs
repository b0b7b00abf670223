//! Adds the request id and security headers to every response, ours or a static asset's.

use worker::{Headers, Response};

use super::RequestContext;

/// No third-party origins anywhere: scripts, styles, fonts, images and connections are same-origin only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'; report-uri /api/csp-report";

const FIXED_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
];

/// Adds the headers in place; asset responses arrive here already copied into mutable headers (see `assets`).
pub fn finish(response: Response, ctx: &RequestContext) -> worker::Result<Response> {
    let headers = response.headers();
    for (name, value) in FIXED_HEADERS {
        headers.set(name, value)?;
    }
    if ctx.is_https {
        headers.set("strict-transport-security", "max-age=63072000; includeSubDomains")?;
    }
    headers.set("x-request-id", ctx.request_id.as_str())?;
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
