//! Every documented APIPod fixture in `tests/contracts/apipod/` parsed by the code that reads real answers.

use super::answer::{retry_after_secs, ProviderError};
use super::callback;
use super::*;
use crate::generation::{Failure, FailureReason, ProviderFailure, SubmitAttempt, TaskStatus, MAX_SUBMIT_ATTEMPTS};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/contracts/apipod/", $name))
    };
}

fn ok(body: &str) -> Option<HttpAnswer<'_>> {
    Some(HttpAnswer { status: 200, retry_after: None, body })
}

/// The first attempt, right after admission (no jitter drawn).
const FIRST: SubmitAttempt = SubmitAttempt { number: 0, now_secs: 1_000, window_end_secs: 1_300, jitter_permille: 0 };
/// The last attempt allowed by count.
const LAST_BY_COUNT: SubmitAttempt = SubmitAttempt { number: MAX_SUBMIT_ATTEMPTS - 1, ..FIRST };
/// An attempt made once the submit window has ended.
const PAST_WINDOW: SubmitAttempt = SubmitAttempt { number: 3, now_secs: 1_300, ..FIRST };

#[test]
fn both_documented_submit_successes_are_accepted() {
    assert_eq!(
        submit_outcome(ok(fixture!("submit-success-code200.json")), FIRST),
        SubmitOutcome::Accepted("img_example_task_id".into())
    );
    assert_eq!(
        submit_outcome(ok(fixture!("submit-success-code0.json")), FIRST),
        SubmitOutcome::Accepted("task_abc123xyz".into())
    );
}

#[test]
fn a_submit_answer_without_the_documented_shape_is_malformed() {
    for body in [
        r#"{"task_id":"t-1"}"#,
        r#"{"code":500,"data":{"task_id":"t"}}"#,
        r#"{"code":200,"data":{"task_id":"../x"}}"#,
        "<html>",
    ] {
        let outcome = submit_outcome(ok(body), FIRST);
        assert!(
            matches!(&outcome, SubmitOutcome::Fail { failure, .. } if failure.reason == FailureReason::MalformedAnswer),
            "{body}: {outcome:?}"
        );
    }
}

#[test]
fn completed_tasks_current_and_legacy_give_their_result_urls() {
    assert_eq!(
        task_status(fixture!("status-completed.json")),
        TaskStatus::Completed(vec!["https://cdn.example.com/generated.png".into()])
    );
    assert_eq!(
        task_status(fixture!("status-completed-legacy.json")),
        TaskStatus::Completed(vec!["https://s.apipod.ai/images/demo.png".into()])
    );
    assert_eq!(completed_at_ms(fixture!("status-completed.json")), Some(1_786_358_400_000));
    assert_eq!(completed_at_ms(r#"{"data":{"completed_at":1775137415123}}"#), Some(1_775_137_415_123), "milliseconds");
}

#[test]
fn failed_tasks_keep_their_code_and_text_from_either_field() {
    assert_eq!(
        task_status(fixture!("status-failed.json")),
        TaskStatus::Failed(ProviderFailure {
            code: Some("UPSTREAM_CAPACITY_EXHAUSTED".into()),
            message: Some("Upstream request failed. Please retry later.".into()),
        })
    );
    assert_eq!(
        task_status(fixture!("status-failed-legacy.json")),
        TaskStatus::Failed(ProviderFailure {
            code: None,
            message: Some("Upstream request failed. Please retry later.".into())
        })
    );
}

#[test]
fn pending_and_processing_keep_polling() {
    assert_eq!(task_status(fixture!("status-pending.json")), TaskStatus::Pending);
    assert_eq!(task_status(fixture!("status-processing.json")), TaskStatus::Pending);
}

#[test]
fn both_error_envelopes_are_read() {
    let auth = ProviderError::parse(401, fixture!("error-openai-401.json"));
    assert_eq!(auth.code.as_deref(), Some("invalid_api_key"));
    assert_eq!(auth.kind.as_deref(), Some("invalid_request_error"));
    assert!(auth.message.unwrap().starts_with("Authentication required"));
    let limited = ProviderError::parse(429, fixture!("error-envelope-429.json"));
    assert_eq!(
        (limited.code.as_deref(), limited.kind.as_deref()),
        (Some("rate_limit_exceeded"), Some("rate_limit_error"))
    );
    assert_eq!(limited.message.as_deref(), Some("Rate limit exceeded"));
    let invalid = submit_outcome(
        Some(HttpAnswer { status: 400, retry_after: None, body: fixture!("error-openai-400.json") }),
        FIRST,
    );
    assert_eq!(
        invalid,
        SubmitOutcome::Fail {
            failure: Failure { reason: FailureReason::SubmitFailed, detail: Some("Invalid aspect_ratio value".into()) },
            error: Some(ProviderError::parse(400, fixture!("error-openai-400.json"))),
        }
    );
}

#[test]
fn a_429_waits_for_retry_after_on_submit_and_poll() {
    let limited = HttpAnswer { status: 429, retry_after: Some("7"), body: fixture!("error-envelope-429.json") };
    assert!(matches!(submit_outcome(Some(limited), FIRST), SubmitOutcome::RetryAfter { secs: 7, .. }));
    assert!(matches!(submit_outcome(Some(limited), LAST_BY_COUNT), SubmitOutcome::Fail { .. }));
    assert!(matches!(submit_outcome(Some(limited), PAST_WINDOW), SubmitOutcome::Fail { .. }));
    let (status, wait, error) = poll_answer(Some(limited));
    assert_eq!((status, wait, error.and_then(|e| e.code)), (None, 7, Some("rate_limit_exceeded".into())));
    assert_eq!(retry_after_secs(None), 5);
    assert_eq!(retry_after_secs(Some("100000")), 300);
}

#[test]
fn documented_transient_5xx_are_retried_with_the_same_key_until_the_window_ends() {
    // error-codes.mdx: 500 "retry only when the operation is idempotent" (ours is: same key, same body), 503 "retry
    // with the same idempotency key" (also when it is `idempotency_unavailable`), 504 "upstream timeout", and
    // "transient 5xx" (502).
    let answers = [
        (500, fixture!("error-openai-500.json")),
        (502, "<html>Bad gateway</html>"),
        (503, fixture!("error-envelope-503.json")),
        (504, fixture!("error-envelope-504.json")),
    ];
    for (status, body) in answers {
        let answer = HttpAnswer { status, retry_after: None, body };
        let outcome = submit_outcome(Some(answer), FIRST);
        assert!(
            matches!(&outcome, SubmitOutcome::RetryAfter { secs: 1, error: Some(e) } if e.http_status == status),
            "{status}: {outcome:?}"
        );
        let later = submit_outcome(Some(answer), SubmitAttempt { number: 4, ..FIRST });
        assert!(matches!(later, SubmitOutcome::RetryAfter { secs: 8..=16, .. }), "{status}: backs off: {later:?}");
        let last = submit_outcome(Some(answer), PAST_WINDOW);
        assert!(
            matches!(&last, SubmitOutcome::Fail { failure, .. } if failure.reason == FailureReason::SubmitFailed),
            "{status} after the window: {last:?}"
        );
    }
    let unavailable = ProviderError::parse(503, fixture!("error-envelope-503.json"));
    assert_eq!(unavailable.code.as_deref(), Some("idempotency_unavailable"));
    let with_header = HttpAnswer { status: 503, retry_after: Some("20"), body: fixture!("error-envelope-503.json") };
    assert!(matches!(submit_outcome(Some(with_header), FIRST), SubmitOutcome::RetryAfter { secs: 20, .. }));
}

#[test]
fn only_documented_permanent_answers_fail_at_once() {
    // "Do not automatically retry 400, 401, 402, 403, or 404"; 501 and 505 say the request itself cannot work.
    for status in [400, 401, 402, 403, 404, 413, 422, 501, 505] {
        let answer = HttpAnswer { status, retry_after: None, body: fixture!("error-openai-401.json") };
        assert!(matches!(submit_outcome(Some(answer), FIRST), SubmitOutcome::Fail { .. }), "{status}");
    }
    let timeout = HttpAnswer { status: 408, retry_after: None, body: "" };
    assert!(matches!(submit_outcome(Some(timeout), FIRST), SubmitOutcome::RetryAfter { .. }));
}

#[test]
fn timeouts_and_in_flight_409s_retry_and_a_conflict_fails() {
    // No answer: APIPod may have accepted the task; the same key replays its id on the next attempt.
    assert!(matches!(submit_outcome(None, FIRST), SubmitOutcome::RetryAfter { secs: 1, .. }));
    assert!(matches!(submit_outcome(None, SubmitAttempt { number: 2, ..FIRST }), SubmitOutcome::RetryAfter { .. }));
    assert!(matches!(submit_outcome(None, LAST_BY_COUNT), SubmitOutcome::Fail { .. }));
    assert!(matches!(submit_outcome(None, PAST_WINDOW), SubmitOutcome::Fail { .. }));
    // endpoint-conventions.mdx: "409, idempotency_in_progress, and Retry-After: 1".
    let body = r#"{"error":{"message":"A request with this key is in progress","type":"invalid_request_error","code":"idempotency_in_progress"}}"#;
    assert!(matches!(
        submit_outcome(
            Some(HttpAnswer { status: 409, retry_after: Some("1"), body }),
            SubmitAttempt { number: 5, ..FIRST }
        ),
        SubmitOutcome::RetryAfter { secs: 16..=32, .. }
    ));
    assert!(matches!(
        submit_outcome(Some(HttpAnswer { status: 409, retry_after: Some("1"), body }), FIRST),
        SubmitOutcome::RetryAfter { secs: 1, .. }
    ));
    let body = r#"{"code":409,"message":"Idempotency key reused","data":{"type":"invalid_request_error","error_code":"idempotency_conflict"}}"#;
    assert!(matches!(
        submit_outcome(Some(HttpAnswer { status: 409, retry_after: None, body }), FIRST),
        SubmitOutcome::Fail { failure: Failure { reason: FailureReason::IdempotencyConflict, .. }, .. }
    ));
}

#[test]
fn callback_payloads_are_read_as_claims_only() {
    let done = callback::claim(fixture!("callback-completed.json").as_bytes());
    assert_eq!((done.task_id.as_deref(), done.status.as_deref()), (Some("img_example_task_id"), Some("completed")));
    assert_eq!(callback::claim(fixture!("callback-failed.json").as_bytes()).status.as_deref(), Some("failed"));
    // The task object itself (no envelope) reads the same way, as L says callbacks carry the status `data`.
    assert_eq!(
        task_status(fixture!("callback-failed.json")),
        TaskStatus::Failed(ProviderFailure {
            code: Some("UPSTREAM_CAPACITY_EXHAUSTED".into()),
            message: Some("Upstream request failed. Please retry later.".into()),
        })
    );
    assert_eq!(completed_at_ms(fixture!("callback-completed.json")), None, "ISO timestamps are not read");
}

#[test]
fn status_synonyms_and_odd_results() {
    let status = |s: &str| task_status(s);
    assert_eq!(
        status(r#"{"code":200,"data":{"task_id":"t","status":"succeeded","result":["https://x/1.png"]}}"#),
        TaskStatus::Completed(vec!["https://x/1.png".into()])
    );
    assert!(matches!(
        status(r#"{"code":200,"data":{"task_id":"t","status":"error","error":"boom"}}"#),
        TaskStatus::Failed(_)
    ));
    assert_eq!(status(r#"{"code":200,"data":{"task_id":"t","status":"cancelled"}}"#), TaskStatus::Cancelled);
    assert_eq!(
        status(r#"{"code":200,"data":{"task_id":"t","status":"completed","result":[{"url":"https://x/2.png"}]}}"#),
        TaskStatus::Completed(vec!["https://x/2.png".into()])
    );
    assert_eq!(
        status(r#"{"code":200,"data":{"task_id":"t","status":"completed","result":[]}}"#),
        TaskStatus::Pending,
        "not yet deliverable"
    );
    assert_eq!(
        status(r#"{"code":200,"data":{"task_id":"t","status":"completed","result":["file:///etc/passwd"]}}"#),
        TaskStatus::Malformed
    );
    let five = r#"{"code":200,"data":{"task_id":"t","status":"completed","result":["https://x/1","https://x/2","https://x/3","https://x/4","https://x/5"]}}"#;
    // One image is paid for, so only the first result is kept.
    assert_eq!(status(five), TaskStatus::Completed(vec!["https://x/1".into()]));
    let extra_malformed =
        r#"{"code":200,"data":{"task_id":"t","status":"completed","result":["https://x/1",{"no":"url"}]}}"#;
    assert_eq!(status(extra_malformed), TaskStatus::Completed(vec!["https://x/1".into()]));
    assert_eq!(status(r#"{"code":200,"data":{"task_id":"t","status":"exploded"}}"#), TaskStatus::Malformed);
    assert_eq!(status("{not json"), TaskStatus::Malformed);
}

#[test]
fn failure_text_is_sanitised_and_bounded() {
    let body = format!(
        r#"{{"code":200,"message":"success","data":{{"task_id":"t","status":"failed","error_message":"bad\u0007\n\u202etext {}"}}}}"#,
        "x".repeat(500)
    );
    let TaskStatus::Failed(failure) = task_status(&body) else { panic!() };
    let message = failure.message.unwrap();
    assert!(message.starts_with("bad text xxx"));
    assert_eq!(message.chars().count(), 200);
    assert!(!message.chars().any(|c| c.is_control() || c == '\u{202e}'));
}
