//! The one outbound request builder: method, URL, bearer token, JSON or form body, idempotency key, and always
//! one deadline for the whole call, body included (`send_with_deadline`), and our request id; answers are read
//! through the one bounded body reader.

use gptimg_domain::ids::RequestId;
use worker::{Fetch, Headers, Method, Request, RequestInit, Response};

use super::{before_deadline, send_with_deadline, Deadline, NoAnswer};
use crate::body::Body;

/// The most an API answer (APIPod, Stripe, Google's token endpoint and keys) may hold. Each is a small JSON
/// document, a few KiB at most; anything larger is not an answer we can use.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why a call produced no usable answer.
#[derive(Debug)]
pub enum CallError {
    /// The request could not be built (e.g. a header value that is not valid).
    Build(worker::Error),
    NoAnswer(NoAnswer),
    /// The answer's body could not be read, or was larger than allowed.
    Read(worker::Error),
    TooLarge {
        max_bytes: usize,
    },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Build(error) => write!(f, "request not built: {error}"),
            Self::NoAnswer(no_answer) => write!(f, "{no_answer}"),
            Self::Read(error) => write!(f, "answer not read: {error}"),
            Self::TooLarge { max_bytes } => write!(f, "answer larger than {max_bytes} bytes"),
        }
    }
}

impl std::error::Error for CallError {}

/// An answer whose headers have arrived, with the deadline its body must still arrive within.
pub struct Received {
    response: Response,
    deadline: Deadline,
}

impl Received {
    pub fn status_code(&self) -> u16 {
        self.response.status_code()
    }

    pub fn headers(&self) -> &Headers {
        self.response.headers()
    }

    /// Whether the call's deadline has passed, still answerable once the body has been taken.
    pub fn deadline_watch(&self) -> impl Fn() -> bool {
        self.deadline.watch()
    }

    /// The body, for streaming or reading, cut at the call's deadline: a read past it is an error.
    pub fn body(mut self) -> Body {
        let deadline = self.deadline;
        Body::take(&mut self.response).map_chunks(|chunks| before_deadline(chunks, deadline))
    }

    /// The whole body (at most `max_bytes`, else `TooLarge`), before the call's deadline.
    pub async fn read(self, max_bytes: usize) -> Result<Vec<u8>, CallError> {
        let (passed, timed_out) = (self.deadline.watch(), self.deadline.timed_out());
        match self.body().read(max_bytes).await {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(CallError::TooLarge { max_bytes }),
            Err(_) if passed() => Err(CallError::NoAnswer(timed_out)),
            Err(error) => Err(CallError::Read(error)),
        }
    }
}

/// An answer as received: its status, `Retry-After`, and body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// One outbound call being described; nothing is sent until `send` or `answer`.
pub struct Outbound {
    method: Method,
    url: String,
    timeout_ms: u64,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
}

impl Outbound {
    /// Every call names its deadline (no provider may hold a request, queue consumer or cron run) and carries
    /// the request id it is made for as `x-request-id`, so a provider's log line can be matched with ours.
    pub fn new(method: Method, url: impl Into<String>, timeout_ms: u64, request_id: &RequestId) -> Self {
        let headers = vec![("x-request-id", request_id.as_str().to_owned())];
        Self { method, url: url.into(), timeout_ms, headers, body: None }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Replays of the same key are answered once by the provider (Stripe, APIPod).
    pub fn idempotency_key(self, key: Option<&str>) -> Self {
        match key {
            Some(key) => self.header("idempotency-key", key),
            None => self,
        }
    }

    pub fn json(mut self, body: String) -> Self {
        self.body = Some(body);
        self.header("content-type", "application/json")
    }

    pub fn form<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            form.append_pair(key, value);
        }
        self.body = Some(form.finish());
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// Sends the call under its deadline; any HTTP answer is returned, its body still under the same deadline.
    pub async fn send(self) -> Result<Received, CallError> {
        let headers = Headers::new();
        for (name, value) in &self.headers {
            headers.set(name, value).map_err(CallError::Build)?;
        }
        let mut init = RequestInit::new();
        init.with_method(self.method).with_headers(headers).with_body(self.body.map(Into::into));
        let request = Request::new_with_init(&self.url, &init).map_err(CallError::Build)?;
        let (response, deadline) =
            send_with_deadline(Fetch::Request(request), self.timeout_ms).await.map_err(CallError::NoAnswer)?;
        Ok(Received { response, deadline })
    }

    /// Sends the call and reads its answer (at most `MAX_ANSWER_BYTES`) as text, all before the one deadline.
    pub async fn answer(self) -> Result<Answer, CallError> {
        let received = self.send().await?;
        let status = received.status_code();
        let retry_after = received.headers().get("retry-after").ok().flatten();
        let bytes = received.read(MAX_ANSWER_BYTES).await?;
        Ok(Answer { status, retry_after, body: String::from_utf8_lossy(&bytes).into_owned() })
    }
}
