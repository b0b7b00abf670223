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
    assert_eq!(next_step(Some(TaskStatus::Completed(urls.clone())), 0, 0, 100), NextStep::StoreResults(urls));
    assert_eq!(
        next_step(Some(TaskStatus::Completed(vec![])), 0, 0, 100),
        NextStep::Fail(FailureReason::MalformedAnswer)
    );
    assert_eq!(next_step(Some(TaskStatus::Malformed), 0, 0, 100), NextStep::Fail(FailureReason::MalformedAnswer));
    assert_eq!(next_step(Some(TaskStatus::Failed), 0, 0, 100), NextStep::Fail(FailureReason::ProviderFailed));
    assert_eq!(next_step(Some(TaskStatus::Cancelled), 0, 0, 100), NextStep::Fail(FailureReason::ProviderCancelled));
    assert_eq!(next_step(Some(TaskStatus::Pending), 3, 50, 100), NextStep::PollAgainAfter(3));
    assert_eq!(next_step(None, 0, 50, 100), NextStep::PollAgainAfter(1), "a failed poll is retried");
    assert_eq!(next_step(Some(TaskStatus::Pending), 3, 100, 100), NextStep::Fail(FailureReason::TimedOut));
    assert_eq!(next_step(None, 3, 101, 100), NextStep::Fail(FailureReason::TimedOut));
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
    ] {
        assert!(reason.message().contains("refunded"), "{}", reason.code());
    }
}

#[test]
fn refusals_explain_themselves_in_the_order_a_user_can_act_on() {
    let facts = AdmissionFacts { references_owned: 1, credits: 3, in_flight: 0, recent: 0, oldest_recent: None };
    assert_eq!(refusal(&facts, 2, 4, 0).code, "upload_not_found");
    let short = refusal(&facts, 1, 4, 0);
    assert_eq!((short.kind, short.code.as_ref()), (ErrorKind::PaymentRequired, "insufficient_credits"));
    assert_eq!(short.details, Some(serde_json::json!({ "balance": 3, "cost": 4 })));
    let busy = refusal(&AdmissionFacts { credits: 10, in_flight: MAX_IN_FLIGHT, ..facts }, 1, 4, 0);
    assert_eq!((busy.code.as_ref(), busy.retry_after_secs), ("too_many_in_flight", Some(5)));
    let hurried = refusal(
        &AdmissionFacts { credits: 10, recent: MAX_PER_MINUTE, oldest_recent: Some(10_000), ..facts },
        1,
        4,
        30_000,
    );
    assert_eq!((hurried.code.as_ref(), hurried.retry_after_secs), ("rate_limited", Some(40)));
}
