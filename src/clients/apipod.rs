//! APIPod: submitting generation tasks, polling their status, and downloading results, each with a timeout.

use futures_util::future::{select, Either};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, Response};

use crate::config::Config;

/// No single call to APIPod may hold a request or queue consumer longer than this.
const CALL_TIMEOUT_MS: u64 = 8_000;

#[derive(Debug)]
pub struct ApipodError(pub String);

/// Sends `fetch`, aborting it after `CALL_TIMEOUT_MS`.
async fn send_with_timeout(fetch: Fetch) -> Result<Response, ApipodError> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let request = fetch.send_with_signal(&signal);
    let timer = Delay::from(std::time::Duration::from_millis(CALL_TIMEOUT_MS));
    futures_util::pin_mut!(request);
    match select(request, timer).await {
        Either::Left((result, _)) => result.map_err(|e| ApipodError(e.to_string())),
        Either::Right(((), _)) => {
            controller.abort();
            Err(ApipodError(format!("no answer within {CALL_TIMEOUT_MS} ms")))
        }
    }
}

fn authorized(config: &Config, method: Method, url: &str, body: Option<String>) -> Result<Fetch, ApipodError> {
    let error = |e: worker::Error| ApipodError(e.to_string());
    let headers = Headers::new();
    headers.set("authorization", &format!("Bearer {}", config.apipod_api_key.expose())).map_err(error)?;
    headers.set("accept", "application/json").map_err(error)?;
    if body.is_some() {
        headers.set("content-type", "application/json").map_err(error)?;
    }
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers).with_body(body.map(Into::into));
    Ok(Fetch::Request(Request::new_with_init(url, &init).map_err(error)?))
}

async fn text_of(mut response: Response) -> Result<(u16, String), ApipodError> {
    let status = response.status_code();
    let text = response.text().await.map_err(|e| ApipodError(e.to_string()))?;
    Ok((status, text))
}

/// Submits a task; returns the answer's body when APIPod accepted it (2xx).
pub async fn submit(config: &Config, path: &str, body: String) -> Result<String, ApipodError> {
    let fetch = authorized(config, Method::Post, &config.apipod_base_url.join(path), Some(body))?;
    let (status, text) = text_of(send_with_timeout(fetch).await?).await?;
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(ApipodError(format!("submit answered {status}")))
    }
}

/// The task's status answer body, or an error for a transient failure (retried by the caller).
pub async fn status(config: &Config, task_id: &str) -> Result<String, ApipodError> {
    let url = config.apipod_base_url.join(&format!("/v1/images/status/{task_id}"));
    let (status, text) = text_of(send_with_timeout(authorized(config, Method::Get, &url, None)?).await?).await?;
    if status == 200 {
        Ok(text)
    } else {
        Err(ApipodError(format!("status answered {status}")))
    }
}

/// Downloads a result, refusing anything above `max_bytes` (declared or actual).
pub async fn download(url: &str, max_bytes: usize) -> Result<Vec<u8>, ApipodError> {
    let parsed = url::Url::parse(url).map_err(|e| ApipodError(e.to_string()))?;
    let mut response = send_with_timeout(Fetch::Url(parsed)).await?;
    if response.status_code() != 200 {
        return Err(ApipodError(format!("result answered {}", response.status_code())));
    }
    let declared = response.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_bytes) {
        return Err(ApipodError("result larger than allowed".into()));
    }
    let bytes = response.bytes().await.map_err(|e| ApipodError(e.to_string()))?;
    if bytes.len() > max_bytes {
        return Err(ApipodError("result larger than allowed".into()));
    }
    Ok(bytes)
}
