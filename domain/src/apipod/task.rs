//! A task's status as documented: `{"code":200,"message":"success","data":{task_id,status,progress?,result?,
//! completed_at?,error_code?,error_message?}}`, plus the legacy `error` string and the status synonyms.

use serde_json::Value;

use crate::generation::{sanitize_provider_text, ProviderFailure, TaskStatus, IMAGES_PAID_PER_GENERATION};

/// The task object: under `data` in the status answer; the callback body is the task object itself.
fn task_of(value: &Value) -> &Value {
    value.get("data").filter(|d| d.is_object()).unwrap_or(value)
}

pub fn task_status(body: &str) -> TaskStatus {
    let Ok(value) = serde_json::from_str::<Value>(body) else { return TaskStatus::Malformed };
    let task = task_of(&value);
    match task.get("status").and_then(Value::as_str) {
        Some("pending" | "processing") => TaskStatus::Pending,
        Some("completed" | "succeeded") => completed(task),
        Some("failed" | "error") => TaskStatus::Failed(failure(task, &value)),
        Some("cancelled" | "canceled") => TaskStatus::Cancelled,
        _ => TaskStatus::Malformed,
    }
}

/// `result` is an array of URL strings (objects with `url` tolerated). An empty or missing result is "not yet
/// deliverable" (the docs: finalising shows as processing), so it is polled again, not failed. Only the
/// results paid for are kept; the rest are ignored, even if malformed.
fn completed(task: &Value) -> TaskStatus {
    let Some(items) = task.get("result").and_then(Value::as_array) else { return TaskStatus::Pending };
    if items.is_empty() {
        return TaskStatus::Pending;
    }
    let urls: Option<Vec<String>> = items
        .iter()
        .take(IMAGES_PAID_PER_GENERATION)
        .map(|item| {
            let url = item.as_str().or_else(|| item.get("url").and_then(Value::as_str))?;
            (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_owned())
        })
        .collect();
    urls.map_or(TaskStatus::Malformed, TaskStatus::Completed)
}

/// The failure text from `error_message`, then `error`, then `message` (the envelope's own "success" is not
/// a reason); `error_code` kept beside it.
fn failure(task: &Value, envelope: &Value) -> ProviderFailure {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let envelope_message = text(envelope, "message").filter(|m| !m.eq_ignore_ascii_case("success"));
    let raw = text(task, "error_message")
        .or_else(|| text(task, "error"))
        .or_else(|| text(task, "message").filter(|m| !m.eq_ignore_ascii_case("success")))
        .or(envelope_message);
    ProviderFailure {
        code: text(task, "error_code").map(|c| c.chars().take(64).collect()),
        message: raw.as_deref().and_then(sanitize_provider_text),
    }
}

/// `completed_at` in milliseconds: the docs say seconds but the legacy docs say milliseconds, so numbers below
/// 10^11 (year 5138 in seconds, 1973 in milliseconds) are seconds. Callback ISO strings are not read.
pub fn completed_at_ms(body: &str) -> Option<i64> {
    let value: Value = serde_json::from_str(body).ok()?;
    let raw = task_of(&value).get("completed_at")?.as_i64()?;
    Some(if raw < 100_000_000_000 { raw.saturating_mul(1000) } else { raw })
}
