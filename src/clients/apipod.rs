//! APIPod over HTTP: one call each to submit a task, read its status and download a result, each with a
//! timeout. What the answers mean is decided in `gptimg_domain::apipod`.

use gptimg_domain::apipod::{self, HttpAnswer};
use gptimg_domain::ids::RequestId;
use worker::Method;

pub use super::outbound::Answer;
use super::outbound::Outbound;
use crate::blobs::ByteChunks;
use crate::body::Body;
use crate::config::Config;

/// No single call to APIPod may hold a request or queue consumer longer than this.
const CALL_TIMEOUT_MS: u64 = 8_000;

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

/// Opens a result for streaming (its body and declared length), refusing a declared size above `max_bytes`;
/// the actual size is capped while it streams into R2.
pub async fn download(
    url: &str,
    max_bytes: usize,
    request_id: &RequestId,
) -> Result<(ByteChunks, Option<u64>), ApipodError> {
    let parsed = url::Url::parse(url).map_err(|e| ApipodError(e.to_string()))?;
    let mut response = Outbound::new(Method::Get, parsed.as_str(), CALL_TIMEOUT_MS, request_id)
        .send()
        .await
        .map_err(|e| ApipodError(e.to_string()))?;
    if response.status_code() != 200 {
        return Err(ApipodError(format!("result answered {}", response.status_code())));
    }
    let body = Body::take(&mut response);
    if body.declares_more_than(max_bytes) {
        return Err(ApipodError("result larger than allowed".into()));
    }
    Ok((body.chunks, body.declared))
}
