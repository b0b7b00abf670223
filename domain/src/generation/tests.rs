//! Unit tests of generation requests: validation and price, polling and submit schedules, outcomes, refusals, ids.

use super::*;

const MODELS: &str = r#"[
  {"id":"seedream-v4.5","name":"Seedream 4.5","apipod_model":"seedream-v4.5","edit_model":"seedream-v4.5-edit","credits_per_image":4,"aspect_ratios":["1:1","16:9"],"max_reference_images":2},
  {"id":"plain","name":"Plain","apipod_model":"plain-1","credits_per_image":1,"aspect_ratios":["1:1"],"qualities":["standard","hd"]}
]"#;

fn models() -> ModelCatalogue {
    ModelCatalogue::parse(MODELS).unwrap()
}

fn request(prompt: &str, model: &str, ratio: &str, refs: &[&str]) -> GenerationRequest {
    GenerationRequest {
        prompt: prompt.into(),
        model: model.into(),
        aspect_ratio: ratio.into(),
        quality: None,
        reference_upload_ids: refs.iter().map(|s| s.to_string()).collect(),
        reference_image_ids: Vec::new(),
        n: None,
    }
}

const UPLOAD_A: &str = "upl_0123456789abcdefghjkmnpqrs";
const UPLOAD_B: &str = "upl_0123456789abcdefghjkmnpqrt";

#[test]
fn a_valid_request_costs_the_models_price_and_picks_the_edit_model_with_references() {
    let catalogue = models();
    let plain = validate(&request("  a red fox  ", "seedream-v4.5", "16:9", &[]), &catalogue).unwrap();
    assert_eq!((plain.prompt.as_str(), plain.cost, plain.apipod_model()), ("a red fox", 4, "seedream-v4.5"));
    let edit = validate(&request("a red fox", "seedream-v4.5", "1:1", &[UPLOAD_A, UPLOAD_B]), &catalogue).unwrap();
    assert_eq!(edit.apipod_model(), "seedream-v4.5-edit");
    assert_eq!(edit.references.len(), 2);
}

#[test]
fn every_rule_has_its_named_error() {
    let catalogue = models();
    let code = |r: GenerationRequest| validate(&r, &catalogue).unwrap_err().code.to_string();
    assert_eq!(code(request("   ", "plain", "1:1", &[])), "prompt_empty");
    assert_eq!(code(request(&"x".repeat(4001), "plain", "1:1", &[])), "prompt_too_long");
    assert_eq!(code(request("bell\u{7}", "plain", "1:1", &[])), "prompt_invalid_characters");
    assert_eq!(code(request("a", "nope", "1:1", &[])), "unknown_model");
    assert_eq!(code(request("a", "plain", "16:9", &[])), "unsupported_aspect_ratio");
    assert_eq!(code(request("a", "plain", "1:1", &[UPLOAD_A])), "too_many_references");
    assert_eq!(code(request("a", "seedream-v4.5", "1:1", &[UPLOAD_A, UPLOAD_A])), "duplicate_reference");
    assert_eq!(code(request("a", "seedream-v4.5", "1:1", &["../etc/passwd"])), "upload_not_found");
    let mut with_quality = request("a", "plain", "1:1", &[]);
    with_quality.quality = Some("ultra".into());
    assert_eq!(code(with_quality), "unsupported_quality");
}

#[test]
fn prompts_may_span_lines_and_be_exactly_4000_characters() {
    assert!(Prompt::parse("line one\nline two").is_ok());
    assert!(Prompt::parse(&"é".repeat(4000)).is_ok());
}

#[test]
fn polling_backs_off_to_thirty_seconds() {
    let delays: Vec<u32> = (0..10).map(poll_delay_secs).collect();
    assert_eq!(delays, [1, 1, 2, 3, 5, 8, 13, 20, 30, 30]);
    assert!(delays.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn each_task_status_leads_to_one_step() {
    let urls = vec!["https://x/1.png".to_owned()];
    let fail = |reason: FailureReason| NextStep::Fail(reason.into());
    assert_eq!(next_step(Some(TaskStatus::Completed(urls.clone())), 0, 0, 0, 100), NextStep::StoreResults(urls));
    assert_eq!(next_step(Some(TaskStatus::Completed(vec![])), 0, 0, 0, 100), fail(FailureReason::MalformedAnswer));
    assert_eq!(next_step(Some(TaskStatus::Malformed), 0, 0, 0, 100), fail(FailureReason::MalformedAnswer));
    let provider = ProviderFailure { code: Some("X".into()), message: Some("no capacity".into()) };
    assert_eq!(
        next_step(Some(TaskStatus::Failed(provider)), 0, 0, 0, 100),
        NextStep::Fail(Failure { reason: FailureReason::ProviderFailed, detail: Some("no capacity".into()) })
    );
    assert_eq!(next_step(Some(TaskStatus::Cancelled), 0, 0, 0, 100), fail(FailureReason::ProviderCancelled));
    assert_eq!(next_step(Some(TaskStatus::Pending), 0, 3, 50, 100), NextStep::PollAgainAfter(3));
    assert_eq!(next_step(None, 0, 0, 50, 100), NextStep::PollAgainAfter(1), "a failed poll is retried");
    assert_eq!(next_step(None, 9, 0, 50, 100), NextStep::PollAgainAfter(9), "never sooner than Retry-After");
    assert_eq!(next_step(Some(TaskStatus::Pending), 0, 3, 100, 100), fail(FailureReason::TimedOut));
    assert_eq!(next_step(None, 0, 3, 101, 100), fail(FailureReason::TimedOut));
}

#[test]
fn every_failure_tells_the_user_credits_came_back() {
    for reason in [
        FailureReason::SubmitFailed,
        FailureReason::ProviderFailed,
        FailureReason::ProviderCancelled,
        FailureReason::MalformedAnswer,
        FailureReason::TimedOut,
        FailureReason::ResultUnavailable,
        FailureReason::ResultNotImage,
        FailureReason::IdempotencyConflict,
    ] {
        assert!(reason.message().contains("refunded"), "{}", reason.code());
    }
    let quoted = Failure { reason: FailureReason::ProviderFailed, detail: Some("Upstream busy.".into()) };
    assert_eq!(
        quoted.message(),
        "The image service could not generate this image. The service said: “Upstream busy.” Your credits were refunded."
    );
}

#[test]
fn provider_text_is_cleaned_and_capped() {
    assert_eq!(sanitize_provider_text("  a\tb\u{0}\u{202E}c\n "), Some("a b c".into()));
    assert_eq!(sanitize_provider_text("\u{7}\u{200B} "), None);
    let long = sanitize_provider_text(&"y".repeat(1000)).unwrap();
    assert_eq!((long.chars().count(), long.ends_with('…')), (MAX_PROVIDER_TEXT_CHARS, true));
}

#[test]
fn submit_retries_back_off_exponentially_with_jitter_and_at_least_what_was_asked() {
    let at = |number, jitter_permille| SubmitAttempt { number, now_secs: 0, window_end_secs: 300, jitter_permille };
    let delays: Vec<u32> = (0..8).map(|n| submit_retry_delay_secs(at(n, 0), 0)).collect();
    assert_eq!(delays, [1, 1, 2, 4, 8, 16, 30, 30], "half of 1, 2, 4, ... 60 fixed");
    let jittered: Vec<u32> = (0..8).map(|n| submit_retry_delay_secs(at(n, 999), 0)).collect();
    assert_eq!(jittered, [1, 1, 3, 7, 15, 31, 59, 59], "the other half drawn");
    assert_eq!(submit_retry_delay_secs(at(0, 500), 10), 10, "Retry-After wins");
    assert_eq!(submit_retry_delay_secs(at(20, 500), 300), 300);
    assert_eq!(submit_retry_delay_secs(at(u32::MAX, 5000), 0), 59, "no overflow, jitter bounded");
}

#[test]
fn submits_are_retried_within_the_window_and_a_bounded_number_of_times() {
    let at = |number, now_secs| SubmitAttempt { number, now_secs, window_end_secs: 300, jitter_permille: 0 };
    assert!(at(0, 0).may_retry() && at(MAX_SUBMIT_ATTEMPTS - 2, 299).may_retry());
    assert!(!at(MAX_SUBMIT_ATTEMPTS - 1, 0).may_retry(), "bounded attempts");
    assert!(!at(1, 300).may_retry(), "bounded elapsed time");
    const { assert!(SUBMIT_WINDOW_SECS < DEADLINE_SECS, "an accepted task still has time to run") };
}

#[test]
fn a_submit_runs_after_the_response_only_if_it_fits_in_the_30_s_left() {
    assert!(submit_fits_after_response(0, 8_000));
    assert!(submit_fits_after_response(18_000, 8_000), "the third of a batch whose submits each took 8 s");
    assert!(!submit_fits_after_response(18_001, 8_000), "the fourth goes through the queue");
    assert!(!submit_fits_after_response(0, 30_000));
    assert!(submit_fits_after_response(-5, 8_000), "a clock step back counts as none elapsed");
}

#[test]
fn a_result_that_does_not_arrive_is_downloaded_again_until_the_deadline() {
    use AfterResultProblem::{Fail, LookAgainAfter};
    assert_eq!(ResultProblem::of_status(404), ResultProblem::Gone);
    assert_eq!(ResultProblem::of_status(403), ResultProblem::Gone);
    for status in [408, 429, 500, 502, 503, 504] {
        assert_eq!(ResultProblem::of_status(status), ResultProblem::Unreachable, "{status}");
    }
    assert_eq!(after_result_problem(ResultProblem::Unreachable, 3, 100, 600), LookAgainAfter(poll_delay_secs(3)));
    assert_eq!(
        after_result_problem(ResultProblem::Unreachable, 3, 600, 600),
        Fail(FailureReason::ResultUnavailable.into()),
        "not past the deadline"
    );
    assert_eq!(after_result_problem(ResultProblem::Gone, 0, 0, 600), Fail(FailureReason::ResultUnavailable.into()));
    assert_eq!(after_result_problem(ResultProblem::NotImage, 0, 0, 600), Fail(FailureReason::ResultNotImage.into()));
}

#[test]
fn quality_defaults_to_the_documented_one_and_sets_the_price() {
    let catalogue = ModelCatalogue::parse(
        r#"[{"id":"nb","name":"NB","apipod_model":"nano-banana-2","edit_model":"nano-banana-2","credits_per_image":2,
        "aspect_ratios":["1:1"],"qualities":["1K","2K","4K"],"default_quality":"1K","quality_credits":{"4K":5},
        "max_prompt_chars":10,"max_reference_images":8}]"#,
    )
    .unwrap();
    let plain = validate(&request("a fox", "nb", "1:1", &[]), &catalogue).unwrap();
    assert_eq!((plain.quality.as_ref().map(Quality::as_str), plain.cost), (Some("1K"), 2));
    let mut big = request("a fox", "nb", "1:1", &[UPLOAD_A]);
    big.quality = Some("4K".into());
    let big = validate(&big, &catalogue).unwrap();
    assert_eq!(
        (big.quality.as_ref().map(Quality::as_str), big.cost, big.apipod_model()),
        (Some("4K"), 5, "nano-banana-2")
    );
    assert_eq!(validate(&request("eleven char", "nb", "1:1", &[]), &catalogue).unwrap_err().code, "prompt_too_long");
}

#[test]
fn refusals_explain_themselves_in_the_order_a_user_can_act_on() {
    let facts =
        AdmissionFacts { references_owned: 1, images_owned: 0, credits: 3, in_flight: 0, recent: 0, room_after: None };
    let asked = |uploads, cost| Asked { uploads, images: 0, generations: 1, cost };
    assert_eq!(refusal(&facts, &asked(2, 4), 0).code, "upload_not_found");
    let short = refusal(&facts, &asked(1, 4), 0);
    assert_eq!((short.kind, short.code.as_ref()), (ErrorKind::PaymentRequired, "insufficient_credits"));
    assert_eq!(short.details, Some(serde_json::json!({ "balance": 3, "cost": 4 })));
    let in_debt = refusal(&AdmissionFacts { credits: -70, ..facts }, &asked(1, 4), 0);
    assert_eq!((in_debt.kind, in_debt.code.as_ref()), (ErrorKind::PaymentRequired, "credits_in_debt"));
    assert_eq!(in_debt.details, Some(serde_json::json!({ "balance": -70, "cost": 4 })));
    let busy = refusal(&AdmissionFacts { credits: 10, in_flight: MAX_IN_FLIGHT, ..facts }, &asked(1, 4), 0);
    assert_eq!((busy.code.as_ref(), busy.retry_after_secs), ("too_many_in_flight", Some(5)));
    let hurried = refusal(
        &AdmissionFacts { credits: 10, recent: MAX_PER_MINUTE, room_after: Some(10_000), ..facts },
        &asked(1, 4),
        30_000,
    );
    assert_eq!((hurried.code.as_ref(), hurried.retry_after_secs), ("rate_limited", Some(40)));
}

#[test]
fn several_images_cost_per_image_and_references_of_both_kinds_count_against_the_limit() {
    let catalogue = models();
    let mut four = request("a fox", "seedream-v4.5", "1:1", &[]);
    four.n = Some(4);
    let four = validate(&four, &catalogue).unwrap();
    assert_eq!((four.cost, four.total_cost(), four.count.tasks()), (4, 16, 4));
    let mut five = request("a fox", "seedream-v4.5", "1:1", &[]);
    five.n = Some(5);
    assert_eq!(validate(&five, &catalogue).unwrap_err().code, "invalid_image_count");
    let mut mixed = request("a fox", "seedream-v4.5", "1:1", &[UPLOAD_A]);
    mixed.reference_image_ids = vec![IMAGE_A.into()];
    let mixed_ok = validate(&mixed, &catalogue).unwrap();
    assert_eq!((mixed_ok.image_references.len(), mixed_ok.apipod_model()), (1, "seedream-v4.5-edit"));
    mixed.reference_image_ids.push(IMAGE_A.replace('s', "t"));
    assert_eq!(validate(&mixed, &catalogue).unwrap_err().code, "too_many_references");
    let mut bad = request("a fox", "seedream-v4.5", "1:1", &[]);
    bad.reference_image_ids = vec!["gen_0123456789abcdefghjkmnpqrs".into()];
    assert_eq!(validate(&bad, &catalogue).unwrap_err().code, "image_not_found");
    bad.reference_image_ids = vec![IMAGE_A.into(), IMAGE_A.into()];
    assert_eq!(validate(&bad, &catalogue).unwrap_err().code, "duplicate_reference");
}

const IMAGE_A: &str = "img_0123456789abcdefghjkmnpqrs";

#[test]
fn a_delete_that_removed_nothing_is_409_while_running_and_404_when_absent() {
    let running = undeletable(true);
    assert_eq!((running.kind, running.code.as_ref()), (ErrorKind::Conflict, "generation_in_progress"));
    let absent = undeletable(false);
    assert_eq!((absent.kind, absent.code.as_ref()), (ErrorKind::NotFound, "generation_not_found"));
    assert_eq!(absent, not_found());
    let full = upload_quota_exceeded();
    assert_eq!((full.kind, full.code.as_ref()), (ErrorKind::Conflict, "upload_quota_exceeded"));
}

#[test]
fn ids_read_back_from_rows_must_have_the_exact_generated_format() {
    let ids: Vec<UploadId> = serde_json::from_str(&format!(r#"["{UPLOAD_A}","{UPLOAD_B}"]"#)).unwrap();
    assert_eq!(ids.iter().map(UploadId::as_str).collect::<Vec<_>>(), [UPLOAD_A, UPLOAD_B]);
    assert_eq!(serde_json::to_string(&ids).unwrap(), format!(r#"["{UPLOAD_A}","{UPLOAD_B}"]"#));
    assert!(serde_json::from_str::<Vec<UploadId>>(r#"["upl_short"]"#).is_err());
    assert!(serde_json::from_str::<UploadId>(r#""gen_0123456789abcdefghjkmnpqrs""#).is_err());
    assert!(serde_json::from_str::<GenerationId>(r#""gen_0123456789abcdefghjkmnpqrs""#).is_ok());
    assert!(serde_json::from_str::<ImageId>("7").is_err());
}
