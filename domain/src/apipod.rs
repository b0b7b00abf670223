//! The APIPod wire format: submit bodies, task ids and task status, read tolerantly but strictly typed.

use serde_json::{json, Value};

use crate::generation::{TaskStatus, ValidGeneration};

/// `POST {base}/v1/images/generations` (or `/edits` with reference image URLs).
pub fn submit_path(generation: &ValidGeneration<'_>) -> &'static str {
    if generation.references.is_empty() {
        "/v1/images/generations"
    } else {
        "/v1/images/edits"
    }
}

pub fn submit_body(generation: &ValidGeneration<'_>, reference_urls: &[String]) -> String {
    let mut body = json!({
        "model": generation.apipod_model(),
        "prompt": generation.prompt.as_str(),
        "aspect_ratio": generation.aspect_ratio,
        "n": 1,
    });
    if let Some(quality) = &generation.quality {
        body["quality"] = json!(quality);
    }
    if !reference_urls.is_empty() {
        body["image_urls"] = json!(reference_urls);
    }
    body.to_string()
}

/// Fields may sit at the top level or under `data`, as APIPod wraps some answers.
fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.get(name).or_else(|| value.get("data").and_then(|d| d.get(name)))
}

/// The task id from a submit answer, if it has a usable one.
pub fn task_id(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let id = field(&value, "task_id")?.as_str()?;
    let plausible =
        !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| id.to_owned())
}

/// A task's status from `GET {base}/v1/images/status/{task_id}`.
pub fn task_status(body: &str) -> TaskStatus {
    let Ok(value) = serde_json::from_str::<Value>(body) else { return TaskStatus::Malformed };
    match field(&value, "status").and_then(Value::as_str) {
        Some("pending" | "queued" | "processing" | "running") => TaskStatus::Pending,
        Some("failed") => TaskStatus::Failed,
        Some("cancelled" | "canceled") => TaskStatus::Cancelled,
        Some("completed" | "succeeded") => {
            let urls = result_urls(&value);
            if urls.is_empty() {
                TaskStatus::Malformed
            } else {
                TaskStatus::Completed(urls)
            }
        }
        _ => TaskStatus::Malformed,
    }
}

fn result_urls(value: &Value) -> Vec<String> {
    let images = field(value, "result").and_then(|r| r.get("images")).or_else(|| field(value, "images"));
    let urls = images.and_then(Value::as_array).map(|items| {
        items
            .iter()
            .filter_map(|item| item.as_str().or_else(|| item.get("url").and_then(Value::as_str)))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    urls.unwrap_or_default()
        .into_iter()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_read_from_either_shape_and_must_be_plain() {
        assert_eq!(task_id(r#"{"task_id":"t-123"}"#).as_deref(), Some("t-123"));
        assert_eq!(task_id(r#"{"data":{"task_id":"t_9"}}"#).as_deref(), Some("t_9"));
        assert_eq!(task_id(r#"{"task_id":"../../x"}"#), None);
        assert_eq!(task_id(r#"{"id":"t"}"#), None);
        assert_eq!(task_id("<html>"), None);
    }

    #[test]
    fn statuses_map_to_task_states() {
        assert_eq!(task_status(r#"{"status":"processing"}"#), TaskStatus::Pending);
        assert_eq!(task_status(r#"{"data":{"status":"pending"}}"#), TaskStatus::Pending);
        assert_eq!(task_status(r#"{"status":"failed","error":"nsfw"}"#), TaskStatus::Failed);
        assert_eq!(task_status(r#"{"status":"cancelled"}"#), TaskStatus::Cancelled);
        assert_eq!(
            task_status(r#"{"status":"completed","result":{"images":[{"url":"https://cdn/x.png"}]}}"#),
            TaskStatus::Completed(vec!["https://cdn/x.png".into()])
        );
        assert_eq!(
            task_status(r#"{"data":{"status":"completed","images":["https://cdn/y.png"]}}"#),
            TaskStatus::Completed(vec!["https://cdn/y.png".into()])
        );
        assert_eq!(task_status(r#"{"status":"completed","result":{"images":[]}}"#), TaskStatus::Malformed);
        assert_eq!(
            task_status(r#"{"status":"completed","result":{"images":[{"url":"file:///etc/passwd"}]}}"#),
            TaskStatus::Malformed
        );
        assert_eq!(task_status(r#"{"status":"exploded"}"#), TaskStatus::Malformed);
        assert_eq!(task_status("{not json"), TaskStatus::Malformed);
    }
}
