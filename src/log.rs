//! Structured JSON log lines: one per request, plus named events. Never cookies, tokens, bodies or secrets.

use serde_json::json;
use worker::Method;

use crate::http::RequestContext;
use crate::platform;

pub fn request(method: &Method, path: &str, status: u16, ctx: &RequestContext) {
    let line = json!({
        "level": if status >= 500 { "error" } else { "info" },
        "msg": "request",
        "method": method.as_ref(),
        "path": path,
        "status": status,
        "duration_ms": platform::now().millis_since(ctx.started),
        "request_id": ctx.request_id.as_str(),
        "d1_round_trips": ctx.d1_round_trips.get(),
    });
    worker::console_log!("{line}");
}

/// A fault we will not show the caller; its cause goes to the log under the request id.
pub fn fault(ctx_request_id: &str, what: &str, cause: &str) {
    let line = json!({ "level": "error", "msg": what, "cause": cause, "request_id": ctx_request_id });
    worker::console_error!("{line}");
}

pub fn event(ctx_request_id: &str, what: &str, fields: serde_json::Value) {
    let line = json!({ "level": "info", "msg": what, "request_id": ctx_request_id, "fields": fields });
    worker::console_log!("{line}");
}
