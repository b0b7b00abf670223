//! Reading APIPod's HTTP answers: submit success (`code` 200 or 0), both error envelopes, 409 idempotency
//! answers, 429 `Retry-After` and the transient 5xx, into what the job does next. APIPod's retry guidance
//! (`error-codes.mdx`): retry 429, 503 and transient 5xx with backoff and jitter, reusing the Idempotency-Key and
//! the unchanged body; never retry 400, 401, 402, 403 or 404 unchanged; bound attempts and elapsed time.

use serde_json::Value;

use super::plausible_task_id;
use super::task::task_status;
use crate::generation::{
    sanitize_provider_text, submit_retry_delay_secs, Failure, FailureReason, SubmitAttempt, TaskStatus,
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

/// Whether an error answer to a submit may pass if the same request is sent again: a 408, a 429, an
/// `idempotency_in_progress` 409, and every 5xx but those that say the request itself cannot work (501, 505) —
/// 500 included, which APIPod says to retry "only when the operation is idempotent", as ours is (same key, same
/// body). A 503 may be `idempotency_unavailable`: APIPod says to retry it with the same key all the same.
fn transient(status: u16, error: &ProviderError) -> bool {
    match status {
        408 | 429 => true,
        409 => error.is("idempotency_in_progress"),
        501 | 505 => false,
        500..=599 => true,
        _ => false,
    }
}

/// What one submission attempt's answer (`None`: no complete answer before the call's deadline, or a lost
/// connection — APIPod may have accepted it) means. Transient ones are retried while `attempt` allows it; only a
/// documented permanent refusal (or the end of the window) fails the generation.
pub fn submit_outcome(answer: Option<HttpAnswer<'_>>, attempt: SubmitAttempt) -> SubmitOutcome {
    let retry = |asked: u32, error: Option<ProviderError>| {
        if attempt.may_retry() {
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
    if transient(answer.status, &error) {
        // The documented in-progress 409 carries `Retry-After: 1`; without one, 1 s too.
        let asked = match (answer.status, answer.retry_after) {
            (429, header) => retry_after_secs(header),
            (_, None) => 0,
            (_, header) => retry_after_secs(header),
        };
        return retry(asked, Some(error));
    }
    match answer.status {
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
