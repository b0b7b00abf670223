//! Generation requests and the job's life: validation, cost, limits, polling schedule, and how it ends.

use crate::error::{DomainError, ErrorKind};
use crate::models::{Model, ModelCatalogue};

crate::resource_id!(
    /// One generation job.
    GenerationId,
    "gen"
);
crate::resource_id!(
    /// One stored output image.
    ImageId,
    "img"
);
crate::resource_id!(
    /// One uploaded reference image.
    UploadId,
    "upl"
);

/// At most this many generations may be queued or running per user.
pub const MAX_IN_FLIGHT: i64 = 6;
/// At most this many generations may be started per user per minute.
pub const MAX_PER_MINUTE: i64 = 12;
/// A generation not finished this long after it started fails and is refunded.
pub const DEADLINE_SECS: i64 = 10 * 60;
/// Uploads kept per user.
pub const MAX_UPLOADS_PER_USER: i64 = 200;
/// Reference-image links handed to APIPod stay valid this long.
pub const REFERENCE_URL_LIFETIME_SECS: i64 = 60 * 60;

/// A prompt: trimmed, 1 to 4000 characters; line breaks allowed, other control characters not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(String);

impl Prompt {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let prompt = raw.trim();
        if prompt.is_empty() {
            return Err(DomainError::invalid("prompt_empty", "Describe the image you want."));
        }
        if prompt.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::invalid("prompt_too_long", "Prompts must be at most 4000 characters."));
        }
        if prompt.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid(
                "prompt_invalid_characters",
                "Prompts must not contain control characters.",
            ));
        }
        Ok(Self(prompt.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a client asks for, before validation.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerationRequest {
    pub prompt: String,
    pub model: String,
    pub aspect_ratio: String,
    #[serde(default)]
    pub quality: Option<String>,
    #[serde(default)]
    pub reference_upload_ids: Vec<String>,
}

/// A request that passed every rule; ownership of the references is checked where they live (D1).
#[derive(Debug, Clone)]
pub struct ValidGeneration<'a> {
    pub prompt: Prompt,
    pub model: &'a Model,
    pub aspect_ratio: String,
    pub quality: Option<String>,
    pub references: Vec<UploadId>,
    pub cost: i64,
}

impl ValidGeneration<'_> {
    /// Reference images switch to the model's edit variant.
    pub fn apipod_model(&self) -> &str {
        if self.references.is_empty() {
            &self.model.apipod_model
        } else {
            self.model.edit_model.as_deref().unwrap_or(&self.model.apipod_model)
        }
    }
}

pub fn validate<'a>(
    request: &GenerationRequest,
    models: &'a ModelCatalogue,
) -> Result<ValidGeneration<'a>, DomainError> {
    let prompt = Prompt::parse(&request.prompt)?;
    let model =
        models.by_id(&request.model).ok_or_else(|| DomainError::invalid("unknown_model", "There is no such model."))?;
    if !model.aspect_ratios.contains(&request.aspect_ratio) {
        return Err(DomainError::invalid(
            "unsupported_aspect_ratio",
            format!("{} supports aspect ratios {}.", model.name, model.aspect_ratios.join(", ")),
        ));
    }
    if let Some(quality) = &request.quality {
        if !model.qualities.contains(quality) {
            return Err(DomainError::invalid("unsupported_quality", "This model does not offer that quality."));
        }
    }
    if request.reference_upload_ids.len() > model.max_reference_images as usize {
        return Err(DomainError::invalid(
            "too_many_references",
            format!("{} accepts at most {} reference images.", model.name, model.max_reference_images),
        ));
    }
    let mut references: Vec<UploadId> = Vec::with_capacity(request.reference_upload_ids.len());
    for raw in &request.reference_upload_ids {
        let id = UploadId::parse(raw).ok_or_else(|| {
            DomainError::new(ErrorKind::NotFound, "upload_not_found", "A reference image does not exist.")
        })?;
        if references.contains(&id) {
            return Err(DomainError::invalid("duplicate_reference", "Each reference image may be used once."));
        }
        references.push(id);
    }
    Ok(ValidGeneration {
        prompt,
        model,
        aspect_ratio: request.aspect_ratio.clone(),
        quality: request.quality.clone(),
        references,
        cost: i64::from(model.credits_per_image),
    })
}

/// What D1 saw when a generation was refused admission (the insert guard failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub struct AdmissionFacts {
    pub references_owned: i64,
    pub credits: i64,
    pub in_flight: i64,
    pub recent: i64,
    pub oldest_recent: Option<i64>,
}

/// Why a refused generation was refused, checked in the order a user can act on.
pub fn refusal(facts: &AdmissionFacts, references_requested: usize, cost: i64, now_ms: i64) -> DomainError {
    if facts.references_owned < references_requested as i64 {
        return DomainError::new(ErrorKind::NotFound, "upload_not_found", "A reference image does not exist.");
    }
    if facts.credits < cost {
        return DomainError::new(
            ErrorKind::PaymentRequired,
            "insufficient_credits",
            format!(
                "This generation costs {cost} credits and you have {}. Buy more credits to continue.",
                facts.credits
            ),
        )
        .with_details(serde_json::json!({ "balance": facts.credits, "cost": cost }));
    }
    if facts.in_flight >= MAX_IN_FLIGHT {
        return DomainError::new(
            ErrorKind::RateLimited,
            "too_many_in_flight",
            format!("At most {MAX_IN_FLIGHT} generations can run at once; wait for one to finish."),
        )
        .with_retry_after(5);
    }
    let wait_ms = facts.oldest_recent.map_or(60_000, |oldest| oldest + 60_000 - now_ms).clamp(1_000, 60_000);
    DomainError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        format!("At most {MAX_PER_MINUTE} generations per minute; try again shortly."),
    )
    .with_retry_after(u32::try_from((wait_ms + 999) / 1000).unwrap_or(60))
}

/// Why a generation failed, in words for the user; every failure is refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    SubmitFailed,
    ProviderFailed,
    ProviderCancelled,
    MalformedAnswer,
    TimedOut,
    ResultUnavailable,
    ResultNotImage,
}

impl FailureReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::SubmitFailed => "submit_failed",
            Self::ProviderFailed => "provider_failed",
            Self::ProviderCancelled => "provider_cancelled",
            Self::MalformedAnswer => "malformed_answer",
            Self::TimedOut => "timed_out",
            Self::ResultUnavailable => "result_unavailable",
            Self::ResultNotImage => "result_not_image",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::SubmitFailed => "The image service could not take the request. Your credits were refunded.",
            Self::ProviderFailed => "The image service could not generate this image. Your credits were refunded.",
            Self::ProviderCancelled => "The image service cancelled this generation. Your credits were refunded.",
            Self::MalformedAnswer => "The image service sent an answer we could not read. Your credits were refunded.",
            Self::TimedOut => "The image took too long to generate. Your credits were refunded.",
            Self::ResultUnavailable => "The finished image could not be downloaded. Your credits were refunded.",
            Self::ResultNotImage => {
                "The image service returned something that is not an image. Your credits were refunded."
            }
        }
    }
}

/// What APIPod says about a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Pending,
    Completed(Vec<String>),
    Failed,
    Cancelled,
    Malformed,
}

/// What to do after a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    StoreResults(Vec<String>),
    Fail(FailureReason),
    PollAgainAfter(u32),
}

/// Seconds to wait before poll number `attempt` (0-based): quick at first, then backing off to 30 s.
pub fn poll_delay_secs(attempt: u32) -> u32 {
    const SCHEDULE: [u32; 8] = [1, 1, 2, 3, 5, 8, 13, 20];
    SCHEDULE.get(attempt as usize).copied().unwrap_or(30)
}

/// Decides the next step from a poll result; a transient poll error is `None` and retried until the deadline.
pub fn next_step(status: Option<TaskStatus>, attempt: u32, now_secs: i64, deadline_secs: i64) -> NextStep {
    match status {
        Some(TaskStatus::Completed(urls)) if !urls.is_empty() => NextStep::StoreResults(urls),
        Some(TaskStatus::Completed(_)) | Some(TaskStatus::Malformed) => NextStep::Fail(FailureReason::MalformedAnswer),
        Some(TaskStatus::Failed) => NextStep::Fail(FailureReason::ProviderFailed),
        Some(TaskStatus::Cancelled) => NextStep::Fail(FailureReason::ProviderCancelled),
        Some(TaskStatus::Pending) | None if now_secs >= deadline_secs => NextStep::Fail(FailureReason::TimedOut),
        Some(TaskStatus::Pending) | None => NextStep::PollAgainAfter(poll_delay_secs(attempt)),
    }
}

#[cfg(test)]
#[path = "generation_tests.rs"]
mod tests;
