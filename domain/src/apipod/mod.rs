//! The APIPod wire contract as documented (fixtures in `tests/contracts/apipod/`): what we send, and how we
//! read every documented variant of what comes back.

pub mod answer;
pub mod callback;
pub mod task;

use serde_json::{json, Value};

pub use answer::{poll_answer, submit_outcome, HttpAnswer, ProviderError, SubmitOutcome};
pub use task::{completed_at_ms, task_status};

/// Text-to-image and image-to-image alike: image-to-image is the `-edit` model with `image_urls`.
pub const SUBMIT_PATH: &str = "/v1/images/generations";

/// Where a task's status is read.
pub fn status_path(task_id: &str) -> String {
    format!("/v1/images/status/{task_id}")
}

/// The `Idempotency-Key` of a generation's submission: derived from its id, so every retry sends the same one.
pub fn idempotency_key(generation_id: &str) -> String {
    format!("gptimg-{generation_id}")
}

/// One task to create, as the generation asked for it.
#[derive(Debug, Clone)]
pub struct TaskRequest<'a> {
    pub model: &'a str,
    pub prompt: &'a str,
    pub aspect_ratio: &'a str,
    pub quality: Option<&'a str>,
    pub image_urls: &'a [String],
    pub callback_url: Option<&'a str>,
}

/// The JSON body of `POST /v1/images/generations`. WAN models name their resolution `size`, take `n` (the only
/// family that documents it) and, for edits, no aspect ratio; the others take `quality` and never `n`.
pub fn submit_body(task: &TaskRequest<'_>) -> String {
    let wan = task.model.starts_with("wan");
    let mut body = json!({ "model": task.model, "prompt": task.prompt });
    if !(wan && task.model.ends_with("-edit")) {
        body["aspect_ratio"] = json!(task.aspect_ratio);
    }
    if let Some(quality) = task.quality {
        body[if wan { "size" } else { "quality" }] = json!(quality);
    }
    if wan {
        body["n"] = json!(1);
    }
    if !task.image_urls.is_empty() {
        body["image_urls"] = json!(task.image_urls);
    }
    if let Some(url) = task.callback_url {
        body["callback_url"] = Value::from(url);
    }
    body.to_string()
}

/// Task ids are opaque (UUIDs, `img_task_…`, `task_…`); we only insist they are safe in a URL path.
pub fn plausible_task_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod contract_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(model: &'a str, urls: &'a [String]) -> TaskRequest<'a> {
        TaskRequest {
            model,
            prompt: "a fox",
            aspect_ratio: "3:4",
            quality: Some("2K"),
            image_urls: urls,
            callback_url: Some("https://app.example/webhooks/apipod/gen_x/t"),
        }
    }

    #[test]
    fn seedream_and_nano_banana_send_quality_and_never_n() {
        let urls = vec!["https://app.example/uploads/upl_x/content?exp=1&sig=s".to_owned()];
        let body: Value = serde_json::from_str(&submit_body(&request("seedream-v4.5-edit", &urls))).unwrap();
        assert_eq!(
            body,
            json!({"model":"seedream-v4.5-edit","prompt":"a fox","aspect_ratio":"3:4","quality":"2K",
                "image_urls":urls,"callback_url":"https://app.example/webhooks/apipod/gen_x/t"})
        );
        let plain: Value = serde_json::from_str(&submit_body(&request("nano-banana-2", &[]))).unwrap();
        assert!(plain.get("n").is_none() && plain.get("image_urls").is_none());
    }

    #[test]
    fn wan_sends_size_and_n_and_its_edits_no_aspect_ratio() {
        let urls = vec!["https://x/y.png".to_owned()];
        let body: Value = serde_json::from_str(&submit_body(&request("wan2.7-image-edit", &urls))).unwrap();
        assert_eq!((body["size"].as_str(), body["n"].as_i64()), (Some("2K"), Some(1)));
        assert!(body.get("aspect_ratio").is_none() && body.get("quality").is_none());
    }

    #[test]
    fn the_idempotency_key_is_stable_and_within_apipods_limit() {
        assert_eq!(idempotency_key("gen_abc"), idempotency_key("gen_abc"));
        assert!(idempotency_key(&"g".repeat(40)).len() <= 255);
    }
}
