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

/// A submission is retried (with the same Idempotency-Key, so APIPod starts at most one task and replays its
/// id) this long after admission; an attempt that fails after that is the last, and the generation fails and is
/// refunded. Well inside `DEADLINE_SECS`, so an accepted task still has time to run.
pub const SUBMIT_WINDOW_SECS: i64 = 5 * 60;
/// And at most this many attempts, however quickly they fail (APIPod: "an upper bound on attempts and total
/// elapsed time").
pub const MAX_SUBMIT_ATTEMPTS: u32 = 12;
/// The longest pause between two attempts, unless APIPod's `Retry-After` asks for more.
const MAX_SUBMIT_BACKOFF_SECS: u32 = 60;

/// When a submission attempt is made: its 0-based number, the time, the end of the window, and a random draw in
/// `0..1000` for the jitter (randomness is passed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitAttempt {
    pub number: u32,
    pub now_secs: i64,
    pub window_end_secs: i64,
    pub jitter_permille: u32,
}

impl SubmitAttempt {
    /// Whether a failed attempt may be followed by another one.
    pub fn may_retry(&self) -> bool {
        self.number + 1 < MAX_SUBMIT_ATTEMPTS && self.now_secs < self.window_end_secs
    }
}

/// Seconds before the attempt after `attempt`: exponential backoff (1, 2, 4, ... up to 60 s) with "equal
/// jitter" (half fixed, half random, so retries of many generations spread out), never less than what APIPod
/// asked for (`Retry-After`, at most 300 s).
pub fn submit_retry_delay_secs(attempt: SubmitAttempt, asked_secs: u32) -> u32 {
    let base = 2u32.saturating_pow(attempt.number).min(MAX_SUBMIT_BACKOFF_SECS);
    let jitter = attempt.jitter_permille.min(999);
    let jittered = base.div_ceil(2) + (base / 2) * jitter / 1000;
    jittered.max(1).max(asked_secs)
}

/// The platform's limit on work done after a response is sent (`waitUntil`): 30 s.
pub const AFTER_RESPONSE_LIMIT_MS: i64 = 30_000;
/// What the D1 writes and the queue send around one submit may take beside the call itself.
const SUBMIT_BOOKKEEPING_MS: i64 = 4_000;

/// Whether a submit may still be made after the response, `elapsed_ms` after it began (measured from the
/// generation's admission, which comes before the response): only if its whole deadline and bookkeeping fit in
/// what is left of the 30 s. Otherwise it goes through the queue, which has no such limit, rather than being cut
/// off half-way.
pub fn submit_fits_after_response(elapsed_ms: i64, call_deadline_ms: i64) -> bool {
    elapsed_ms.max(0) + call_deadline_ms + SUBMIT_BOOKKEEPING_MS <= AFTER_RESPONSE_LIMIT_MS
}

/// What went wrong fetching a finished task's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultProblem {
    /// No complete answer before the download's deadline, a lost connection, a 408/429/5xx, or R2 failing to
    /// store it: worth another try, the task's result stays where it is.
    Unreachable,
    /// Any other refusal (a 404, an expired link, a size over the cap): it will not come.
    Gone,
    /// The bytes are not an acceptable image.
    NotImage,
}

impl ResultProblem {
    pub fn of_status(status: u16) -> Self {
        match status {
            408 | 429 | 500..=599 => Self::Unreachable,
            _ => Self::Gone,
        }
    }
}

/// What to do after a result could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterResultProblem {
    /// Look at the task again (and download again) after this many seconds.
    LookAgainAfter(u32),
    Fail(Failure),
}

/// Look again later while the generation's deadline allows and the problem may pass; otherwise fail (refunded).
pub fn after_result_problem(
    problem: ResultProblem,
    attempt: u32,
    now_secs: i64,
    deadline_secs: i64,
) -> AfterResultProblem {
    match problem {
        ResultProblem::Unreachable if now_secs < deadline_secs => {
            AfterResultProblem::LookAgainAfter(poll_delay_secs(attempt))
        }
        ResultProblem::Unreachable | ResultProblem::Gone => {
            AfterResultProblem::Fail(FailureReason::ResultUnavailable.into())
        }
        ResultProblem::NotImage => AfterResultProblem::Fail(FailureReason::ResultNotImage.into()),
    }
}
