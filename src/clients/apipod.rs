//! APIPod over HTTP: one call each to submit a task, read its status and download a result, each under one
//! deadline that covers the whole answer (a download's body included). What the answers mean is decided in
//! `gptimg_domain::apipod`.

use gptimg_domain::apipod::{self, HttpAnswer};
use gptimg_domain::generation::ResultProblem;
use gptimg_domain::ids::RequestId;
use worker::Method;

pub use super::outbound::Answer;
use super::outbound::{CallError, Outbound};
use crate::blobs::ByteChunks;
use crate::config::Config;

/// No single call to APIPod may hold a request or queue consumer longer than this (`jobs::submit` counts on it
/// to decide whether one more submit fits in the time left after a response).
pub const CALL_TIMEOUT_MS: u64 = 8_000;
/// A result (up to 64 MiB) must have arrived whole within this; a download that trickles is cut off here and
/// tried again later, and a callback's finish (after its 2xx, within the platform's 30 s) still has time left.
const DOWNLOAD_TIMEOUT_MS: u64 = 20_000;

/// No answer at all: a timeout or a failed connection (the caller may retry).
#[derive(Debug)]
pub struct ApipodError(pub String);

impl Answer {
    pub fn view(&self) -> HttpAnswer<'_> {
        HttpAnswer { status: self.status, retry_after: self.retry_after.as_deref(), body: &self.body }
    }
}

fn authorized(config: &Config, method: Method, url: String, request_id: &RequestId) -> Outbound {
    Outbound::new(method, url, CALL_TIMEOUT_MS, request_id)
        .bearer(config.apipod_api_key.expose())
        .header("accept", "application/json")
}

async fn answer_of(call: Outbound) -> Result<Answer, ApipodError> {
    call.answer().await.map_err(|e| ApipodError(e.to_string()))
}

/// `POST /v1/images/generations` with the generation's Idempotency-Key; any HTTP answer is returned.
pub async fn submit(
    config: &Config,
    body: String,
    idempotency_key: &str,
    request_id: &RequestId,
) -> Result<Answer, ApipodError> {
    let url = config.apipod_base_url.join(apipod::SUBMIT_PATH);
    answer_of(authorized(config, Method::Post, url, request_id).json(body).idempotency_key(Some(idempotency_key))).await
}

/// `GET /v1/images/status/{task_id}`; any HTTP answer is returned.
pub async fn status(config: &Config, task_id: &str, request_id: &RequestId) -> Result<Answer, ApipodError> {
    let url = config.apipod_base_url.join(&apipod::status_path(task_id));
    answer_of(authorized(config, Method::Get, url, request_id)).await
}

/// A result being downloaded: its chunks (which error once the download's deadline passes) and declared length.
pub struct Download {
    pub chunks: ByteChunks,
    pub declared: Option<u64>,
    /// Whether the deadline has passed (so a failed store was the download's fault, not R2's).
    pub timed_out: Box<dyn Fn() -> bool>,
}

/// Why a result could not be fetched, with the cause for the log.
#[derive(Debug)]
pub struct DownloadError {
    pub problem: ResultProblem,
    pub cause: String,
}

/// Opens a result for streaming (its body and declared length), refusing a declared size above `max_bytes`;
/// the actual size is capped while it streams into R2, and all of it must arrive before the deadline.
pub async fn download(url: &str, max_bytes: usize, request_id: &RequestId) -> Result<Download, DownloadError> {
    let failed = |problem, cause: String| DownloadError { problem, cause };
    let parsed = url::Url::parse(url).map_err(|e| failed(ResultProblem::Gone, e.to_string()))?;
    let response = Outbound::new(Method::Get, parsed.as_str(), DOWNLOAD_TIMEOUT_MS, request_id).send().await.map_err(
        |e| match e {
            CallError::Build(_) => failed(ResultProblem::Gone, e.to_string()),
            _ => failed(ResultProblem::Unreachable, e.to_string()),
        },
    )?;
    let status = response.status_code();
    if status != 200 {
        return Err(failed(ResultProblem::of_status(status), format!("result answered {status}")));
    }
    let timed_out = Box::new(response.deadline_watch());
    let body = response.body();
    if body.declares_more_than(max_bytes) {
        return Err(failed(ResultProblem::NotImage, "result larger than allowed".into()));
    }
    Ok(Download { chunks: body.chunks, declared: body.declared, timed_out })
}
