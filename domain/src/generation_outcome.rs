//! How a generation's job ends: what APIPod said, what to do next, and the words a user sees when it failed.

/// Why a generation failed; every failure is refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    SubmitFailed,
    ProviderFailed,
    ProviderCancelled,
    MalformedAnswer,
    TimedOut,
    ResultUnavailable,
    ResultNotImage,
    /// APIPod saw our Idempotency-Key before with a different body: it will not start this task.
    IdempotencyConflict,
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
            Self::IdempotencyConflict => "idempotency_conflict",
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
            Self::IdempotencyConflict => {
                "The image service refused to start this generation twice with different details. Your credits were refunded."
            }
        }
    }
}

/// A failure with, when the provider gave one, its own explanation (already sanitised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: FailureReason,
    pub detail: Option<String>,
}

impl Failure {
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// What the user reads: our sentence, and the provider's reason quoted when there is one.
    pub fn message(&self) -> String {
        match &self.detail {
            None => self.reason.message().to_owned(),
            Some(detail) => {
                let ours = self.reason.message().trim_end_matches(" Your credits were refunded.");
                format!("{} The service said: “{detail}” Your credits were refunded.", ours)
            }
        }
    }
}

impl From<FailureReason> for Failure {
    fn from(reason: FailureReason) -> Self {
        Self { reason, detail: None }
    }
}

/// Provider text shown to a user is at most this many characters.
pub const MAX_PROVIDER_TEXT_CHARS: usize = 200;

/// Provider text made safe to show: control and formatting characters become spaces, runs of whitespace
/// collapse, and it is cut to `MAX_PROVIDER_TEXT_CHARS`. Nothing left means `None`.
pub fn sanitize_provider_text(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_control() || is_invisible_format(c) { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.chars().count() <= MAX_PROVIDER_TEXT_CHARS {
        return Some(cleaned);
    }
    let cut: String = cleaned.chars().take(MAX_PROVIDER_TEXT_CHARS - 1).collect();
    Some(format!("{}…", cut.trim_end()))
}

/// Bidirectional overrides and zero-width characters, which could disguise what the text says.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// What APIPod reported about a failed task: its machine code and its words (sanitised).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderFailure {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// What APIPod says about a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Pending,
    Completed(Vec<String>),
    Failed(ProviderFailure),
    Cancelled,
    Malformed,
}

/// What to do after a look at the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    StoreResults(Vec<String>),
    Fail(Failure),
    PollAgainAfter(u32),
}

/// Seconds to wait before poll number `attempt` (0-based): quick at first, then backing off to 30 s.
pub fn poll_delay_secs(attempt: u32) -> u32 {
    const SCHEDULE: [u32; 8] = [1, 1, 2, 3, 5, 8, 13, 20];
    SCHEDULE.get(attempt as usize).copied().unwrap_or(30)
}

/// Decides the next step from a look at the task; a transient error is `None` and retried until the deadline.
/// `min_delay_secs` is what APIPod asked for (a 429's `Retry-After`): the next poll never comes sooner.
pub fn next_step(
    status: Option<TaskStatus>,
    min_delay_secs: u32,
    attempt: u32,
    now_secs: i64,
    deadline_secs: i64,
) -> NextStep {
    match status {
        Some(TaskStatus::Completed(urls)) if !urls.is_empty() => NextStep::StoreResults(urls),
        Some(TaskStatus::Completed(_)) | Some(TaskStatus::Malformed) => {
            NextStep::Fail(FailureReason::MalformedAnswer.into())
        }
        Some(TaskStatus::Failed(provider)) => {
            NextStep::Fail(Failure { reason: FailureReason::ProviderFailed, detail: provider.message })
        }
        Some(TaskStatus::Cancelled) => NextStep::Fail(FailureReason::ProviderCancelled.into()),
        Some(TaskStatus::Pending) | None if now_secs >= deadline_secs => NextStep::Fail(FailureReason::TimedOut.into()),
        Some(TaskStatus::Pending) | None => NextStep::PollAgainAfter(poll_delay_secs(attempt).max(min_delay_secs)),
    }
}

/// A submission is tried at most this many times (timeouts, lost connections, 429, in-flight 409), always with
/// the same Idempotency-Key so APIPod starts at most one task.
pub const MAX_SUBMIT_ATTEMPTS: u32 = 3;

/// Seconds before submission attempt `attempt + 1`, at least what APIPod asked for, at most 30 s (a queued
/// generation is given up by the sweep after two minutes).
pub fn submit_retry_delay_secs(attempt: u32, asked_secs: u32) -> u32 {
    const SCHEDULE: [u32; 2] = [1, 3];
    SCHEDULE.get(attempt as usize).copied().unwrap_or(5).max(asked_secs).min(30)
}
