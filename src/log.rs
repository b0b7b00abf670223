//! Structured JSON log lines: faults, named events, and a request's line only when it says something Workers
//! observability does not. Never cookies, tokens, bodies or secrets.
//!
//! Observability already records every invocation (method, path, status, duration, CPU time, its `console`
//! output), so a line per ordinary request would only repeat it, and `console.log` is the largest per-request
//! cost an ordinary request has. A request's line is written when it is worth reading on its own:
//! a 5xx, notes a handler attached (a Stripe event's id and outcome, a callback's outcome, a sign-in), an unusual
//! number of subrequests (`UNUSUAL_SUBREQUESTS`), or a caller that named the request's id (`x-request-id`) and
//! so is tracing it. Faults are always logged, with the request id.

use serde_json::json;
use worker::Method;

use crate::meter::Counts;
use crate::platform;

/// More subrequests than any ordinary request makes (the heaviest, an account deletion, makes a handful plus one
/// per 1000 R2 objects): a request above it gets its line, to be looked into.
const UNUSUAL_SUBREQUESTS: u32 = 50;

/// What a request's line tells beyond its method, path and status, as the entry point gathered it.
pub struct RequestFacts<'a> {
    /// Validated to `[A-Za-z0-9._-]`, so written unescaped.
    pub request_id: &'a str,
    pub started: gptimg_domain::time::UnixMillis,
    /// The caller named this request's id (`x-request-id`).
    pub traced: bool,
    pub counts: &'a Counts,
    /// What a handler attached (a Stripe event's id and outcome, a callback's outcome, a sign-in).
    pub notes: Option<serde_json::Value>,
}

/// Whether a request's line says something observability does not (see the module comment).
fn worth_a_line(status: u16, facts: &RequestFacts<'_>) -> bool {
    status >= 500 || facts.traced || facts.notes.is_some() || facts.counts.total() > UNUSUAL_SUBREQUESTS
}

/// The request's line, when it is worth one. Written by hand rather than through `serde_json::Value` because it runs on every
/// request: the method is an enum, the request id is validated to `[A-Za-z0-9._-]`, and only the path is escaped.
/// Notes a handler attached ride along under `"event"` instead of a second line.
pub fn request(method: &Method, path: &str, status: u16, facts: RequestFacts<'_>) {
    if !worth_a_line(status, &facts) {
        return;
    }
    let level = if status >= 500 {
        "error"
    } else if facts.counts.total() > UNUSUAL_SUBREQUESTS {
        "warn"
    } else {
        "info"
    };
    let path = serde_json::to_string(path).unwrap_or_else(|_| "\"?\"".to_owned());
    let mut line = format!(
        "{{\"level\":\"{level}\",\"msg\":\"request\",\"method\":\"{}\",\"path\":{path},\"status\":{status},\
         \"duration_ms\":{},\"request_id\":\"{}\",\"d1_round_trips\":{},\"r2_ops\":{},\"queue_sends\":{},\
         \"fetches\":{},\"subrequests\":{}",
        method.as_ref(),
        platform::now().millis_since(facts.started),
        facts.request_id,
        facts.counts.d1.get(),
        facts.counts.r2.get(),
        facts.counts.queue.get(),
        facts.counts.fetch.get(),
        facts.counts.total(),
    );
    if let Some(notes) = facts.notes {
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
