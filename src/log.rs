//! Structured JSON log lines: one per request, plus named events. Never cookies, tokens, bodies or secrets.

use serde_json::json;
use worker::Method;

use crate::http::RequestContext;
use crate::meter::Counts;
use crate::platform;

/// The one line per request. Written by hand rather than through `serde_json::Value` because it runs on every
/// request: the method is an enum, the request id is validated to `[A-Za-z0-9._-]`, and only the path is escaped.
/// Notes a handler attached (`RequestContext::note`) ride along under `"event"` instead of a second line.
pub fn request(method: &Method, path: &str, status: u16, ctx: &RequestContext) {
    let level = if status >= 500 { "error" } else { "info" };
    let path = serde_json::to_string(path).unwrap_or_else(|_| "\"?\"".to_owned());
    let mut line = format!(
        "{{\"level\":\"{level}\",\"msg\":\"request\",\"method\":\"{}\",\"path\":{path},\"status\":{status},\
         \"duration_ms\":{},\"request_id\":\"{}\",\"d1_round_trips\":{},\"r2_ops\":{},\"queue_sends\":{},\
         \"fetches\":{},\"subrequests\":{}",
        method.as_ref(),
        platform::now().millis_since(ctx.started),
        ctx.request_id.as_str(),
        ctx.counts.d1.get(),
        ctx.counts.r2.get(),
        ctx.counts.queue.get(),
        ctx.counts.fetch.get(),
        ctx.counts.total(),
    );
    if let Some(notes) = ctx.take_notes() {
        line.push_str(",\"event\":");
        line.push_str(&notes.to_string());
    }
    line.push('}');
    worker::console_log!("{line}");
}

/// A fault we will not show the caller; its cause goes to the log under the request id.
pub fn fault(ctx_request_id: &str, what: &str, cause: &str) {
    let line = json!({ "level": "error", "msg": what, "cause": cause, "request_id": ctx_request_id });
    worker::console_error!("{line}");
}

/// The one line per queue batch or cron run: what it did and the subrequests it made (`meter::Counts`).
pub fn summary(what: &str, started: gptimg_domain::time::UnixMillis, counts: &Counts, mut fields: serde_json::Value) {
    if let (Some(fields), Some(extra)) = (fields.as_object_mut(), counts.fields().as_object()) {
        fields.extend(extra.clone());
        fields.insert("duration_ms".into(), json!(platform::now().millis_since(started)));
    }
    let level = if counts.total() > crate::meter::SUBREQUEST_LIMIT * 9 / 10 { "warn" } else { "info" };
    let mut line = json!({ "level": level, "msg": what, "request_id": "-" });
    if let (Some(line), Some(fields)) = (line.as_object_mut(), fields.as_object()) {
        line.extend(fields.clone());
    }
    worker::console_log!("{line}");
}

pub fn event(ctx_request_id: &str, what: &str, fields: serde_json::Value) {
    let line = json!({ "level": "info", "msg": what, "request_id": ctx_request_id, "fields": fields });
    worker::console_log!("{line}");
}
