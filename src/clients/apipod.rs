//! APIPod over HTTP: one call each to submit a task, read its status and download a result, each with a
//! timeout. What the answers mean is decided in `gptimg_domain::apipod`.

use gptimg_domain::apipod::{self, HttpAnswer};
use worker::{Fetch, Headers, Method, Request, RequestInit, Response};

use crate::blobs::ByteChunks;
use crate::config::Config;

/// No single call to APIPod may hold a request or queue consumer longer than this.
const CALL_TIMEOUT_MS: u64 = 8_000;

/// No answer at all: a timeout or a failed connection (the caller may retry).
#[derive(Debug)]
pub struct ApipodError(pub String);

/// An answer as received; `HttpAnswer` borrows from it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn view(&self) -> HttpAnswer<'_> {
        HttpAnswer { status: self.status, retry_after: self.retry_after.as_deref(), body: &self.body }
    }
}

/// Sends `fetch` under APIPod's time limit.
async fn send_with_timeout(fetch: Fetch) -> Result<Response, ApipodError> {
    super::send_with_timeout(fetch, CALL_TIMEOUT_MS).await.map_err(|e| ApipodError(e.to_string()))
}

fn authorized(
    config: &Config,
    method: Method,
    url: &str,
    body: Option<String>,
    idempotency_key: Option<&str>,
) -> Result<Fetch, ApipodError> {
    let error = |e: worker::Error| ApipodError(e.to_string());
    let headers = Headers::new();
    headers.set("authorization", &format!("Bearer {}", config.apipod_api_key.expose())).map_err(error)?;
    headers.set("accept", "application/json").map_err(error)?;
    if body.is_some() {
        headers.set("content-type", "application/json").map_err(error)?;
    }
    if let Some(key) = idempotency_key {
        headers.set("idempotency-key", key).map_err(error)?;
    }
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers).with_body(body.map(Into::into));
    Ok(Fetch::Request(Request::new_with_init(url, &init).map_err(error)?))
}

async fn answer_of(fetch: Fetch) -> Result<Answer, ApipodError> {
    let mut response = send_with_timeout(fetch).await?;
    let status = response.status_code();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let body = response.text().await.map_err(|e| ApipodError(e.to_string()))?;
    Ok(Answer { status, retry_after, body })
}

/// `POST /v1/images/generations` with the generation's Idempotency-Key; any HTTP answer is returned.
pub async fn submit(config: &Config, body: String, idempotency_key: &str) -> Result<Answer, ApipodError> {
    let url = config.apipod_base_url.join(apipod::SUBMIT_PATH);
    answer_of(authorized(config, Method::Post, &url, Some(body), Some(idempotency_key))?).await
}

/// `GET /v1/images/status/{task_id}`; any HTTP answer is returned.
pub async fn status(config: &Config, task_id: &str) -> Result<Answer, ApipodError> {
    let url = config.apipod_base_url.join(&apipod::status_path(task_id));
    answer_of(authorized(config, Method::Get, &url, None, None)?).await
}

/// Opens a result for streaming (its body and declared length), refusing a declared size above `max_bytes`;
/// the actual size is capped while it streams into R2.
pub async fn download(url: &str, max_bytes: usize) -> Result<(ByteChunks, Option<u64>), ApipodError> {
    let parsed = url::Url::parse(url).map_err(|e| ApipodError(e.to_string()))?;
    let mut response = send_with_timeout(Fetch::Url(parsed)).await?;
    if response.status_code() != 200 {
        return Err(ApipodError(format!("result answered {}", response.status_code())));
    }
    let declared = response.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes as u64) {
        return Err(ApipodError("result larger than allowed".into()));
    }
    let body = response.stream().map_err(|e| ApipodError(e.to_string()))?;
    Ok((Box::pin(body), declared))
}
