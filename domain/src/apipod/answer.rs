//! Reading APIPod's HTTP answers: submit success (`code` 200 or 0), both error envelopes, 409 idempotency
//! answers and 429 `Retry-After`, into what the job does next.

use serde_json::Value;

use super::plausible_task_id;
use super::task::task_status;
use crate::generation::{
    sanitize_provider_text, submit_retry_delay_secs, Failure, FailureReason, TaskStatus, MAX_SUBMIT_ATTEMPTS,
};

/// An HTTP answer as received: status, `Retry-After` header, body text.
#[derive(Debug, Clone, Copy)]
pub struct HttpAnswer<'a> {
    pub status: u16,
    pub retry_after: Option<&'a str>,
    pub body: &'a str,
}

/// An error answer, from either documented envelope: `{"error":{message,type,code}}` or
/// `{"code","message","data":{"type","error_code"}}`. `code` is read from `error.code`, then `data.error_code`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderError {
    pub http_status: u16,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub message: Option<String>,
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

impl ProviderError {
    pub fn parse(http_status: u16, body: &str) -> Self {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let code = text_at(&value, &["error", "code"]).or_else(|| text_at(&value, &["data", "error_code"]));
        let kind = text_at(&value, &["error", "type"]).or_else(|| text_at(&value, &["data", "type"]));
        let message = text_at(&value, &["error", "message"]).or_else(|| text_at(&value, &["message"]));
        Self {
            http_status,
            code: code.map(|c| c.chars().take(64).collect()),
            kind: kind.map(|k| k.chars().take(64).collect()),
            message: message.and_then(sanitize_provider_text),
        }
    }

    fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

/// Seconds a `Retry-After` asks for (delta-seconds); 5 when absent or unreadable, at most 300.
pub fn retry_after_secs(header: Option<&str>) -> u32 {
    header.and_then(|h| h.trim().parse::<u32>().ok()).unwrap_or(5).clamp(1, 300)
}

/// What to do after one submission attempt (`None` = no answer: timeout or connection error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    Accepted(String),
    /// Try again, with the same Idempotency-Key, after this many seconds.
    RetryAfter {
        secs: u32,
        error: Option<ProviderError>,
    },
    Fail {
        failure: Failure,
        error: Option<ProviderError>,
    },
}

/// `attempt` is 0-based; the last allowed attempt fails instead of retrying.
pub fn submit_outcome(answer: Option<HttpAnswer<'_>>, attempt: u32) -> SubmitOutcome {
    let can_retry = attempt + 1 < MAX_SUBMIT_ATTEMPTS;
    let retry = |asked: u32, error: Option<ProviderError>| {
        if can_retry {
            SubmitOutcome::RetryAfter { secs: submit_retry_delay_secs(attempt, asked), error }
        } else {
            SubmitOutcome::Fail { failure: FailureReason::SubmitFailed.into(), error }
        }
    };
    let Some(answer) = answer else { return retry(0, None) };
    if (200..300).contains(&answer.status) {
        return match accepted_task_id(answer.body) {
            Some(id) => SubmitOutcome::Accepted(id),
            None => SubmitOutcome::Fail {
                failure: FailureReason::MalformedAnswer.into(),
                error: Some(ProviderError::parse(answer.status, answer.body)),
            },
        };
    }
    let error = ProviderError::parse(answer.status, answer.body);
    match answer.status {
        429 => retry(retry_after_secs(answer.retry_after), Some(error)),
        409 if error.is("idempotency_in_progress") => {
            retry(answer.retry_after.map_or(2, |h| retry_after_secs(Some(h))), Some(error))
        }
        409 if error.is("idempotency_conflict") => {
            SubmitOutcome::Fail { failure: FailureReason::IdempotencyConflict.into(), error: Some(error) }
        }
        // A refused request is worth showing: its text names the parameter APIPod did not accept.
        400 => SubmitOutcome::Fail {
            failure: Failure { reason: FailureReason::SubmitFailed, detail: error.message.clone() },
            error: Some(error),
        },
        _ => SubmitOutcome::Fail { failure: FailureReason::SubmitFailed.into(), error: Some(error) },
    }
}

/// Success is `code` 200 (current docs) or 0 (older docs) with a usable `data.task_id`.
fn accepted_task_id(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    if !matches!(value.get("code").and_then(Value::as_i64), Some(0 | 200)) {
        return None;
    }
    let id = text_at(&value, &["data", "task_id"])?;
    plausible_task_id(id).then(|| id.to_owned())
}

/// A status read: the task's status (`None` when the read failed and should be retried), the least number of
/// seconds before the next read (a 429's `Retry-After`), and the error answer if there was one.
pub fn poll_answer(answer: Option<HttpAnswer<'_>>) -> (Option<TaskStatus>, u32, Option<ProviderError>) {
    match answer {
        None => (None, 0, None),
        Some(a) if a.status == 200 => (Some(task_status(a.body)), 0, None),
        Some(a) if a.status == 429 => (None, retry_after_secs(a.retry_after), Some(ProviderError::parse(429, a.body))),
        Some(a) => (None, 0, Some(ProviderError::parse(a.status, a.body))),
    }
}
