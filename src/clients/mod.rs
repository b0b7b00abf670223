//! Outbound HTTP to the services GPTImg depends on: Google, Stripe and APIPod (and Google's image host for
//! avatars), every call built by `outbound::Outbound` and sent under its time limit. The limits, per service:
//! APIPod 8 s, Google token and keys 8 s, Stripe 10 s, profile images 5 s.

pub mod apipod;
pub mod google;
pub mod outbound;
pub mod stripe;

use futures_util::future::{select, Either};
use worker::{AbortController, Delay, Fetch, Response};

/// A call that got no answer: it failed to connect, or nothing came back within its time limit.
#[derive(Debug)]
pub enum NoAnswer {
    Failed(worker::Error),
    TimedOut { after_ms: u64 },
}

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "{error}"),
            Self::TimedOut { after_ms } => write!(f, "no answer within {after_ms} ms"),
        }
    }
}

/// Sends `fetch`, aborting it if its answer has not begun within `timeout_ms`: a provider that hangs must not
/// hold a request, queue consumer or cron run until the platform kills it.
async fn send_with_timeout(fetch: Fetch, timeout_ms: u64) -> Result<Response, NoAnswer> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let request = fetch.send_with_signal(&signal);
    let timer = Delay::from(std::time::Duration::from_millis(timeout_ms));
    futures_util::pin_mut!(request);
    match select(request, timer).await {
        Either::Left((result, _)) => result.map_err(NoAnswer::Failed),
        Either::Right(((), _)) => {
            controller.abort();
            Err(NoAnswer::TimedOut { after_ms: timeout_ms })
        }
    }
}
