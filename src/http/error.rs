//! The ONE place that maps errors to HTTP statuses and `{"error":{"code","message"}}` bodies.

use std::rc::Rc;

use gptimg_domain::config::ConfigProblem;
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::json;
use worker::Response;

/// Every way a request can fail.
#[derive(Debug)]
pub enum ApiError {
    /// A rule said no; status from its `ErrorKind` (see `status_of`).
    Domain(DomainError),
    /// 405, with the methods the path does accept.
    MethodNotAllowed { allow: &'static str },
    /// 503 `service_misconfigured`: names the broken settings, never their values.
    Misconfigured(Rc<[ConfigProblem]>),
    /// 500 `internal_error`: the cause is logged under the request id, never returned.
    Internal(String),
}

impl ApiError {
    /// A fault of ours, keeping its cause for the log (never for the response).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn not_found(code: &'static str, message: &'static str) -> Self {
        Self::Domain(DomainError::new(ErrorKind::NotFound, code, message))
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Domain(error) => status_of(error.kind),
            Self::MethodNotAllowed { .. } => 405,
            Self::Misconfigured(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    /// Turns the error into its response; the caller logs an `Internal` cause first.
    pub fn into_response(self) -> Response {
        let status = self.status();
        let (code, message): (&str, String) = match &self {
            Self::Domain(error) => (&error.code, error.message.to_string()),
            Self::MethodNotAllowed { allow } => ("method_not_allowed", format!("This path accepts only {allow}.")),
            Self::Misconfigured(problems) => {
                let names: Vec<String> = problems.iter().map(ToString::to_string).collect();
                ("service_misconfigured", format!("The service is misconfigured: {}.", names.join("; ")))
            }
            Self::Internal(_) => ("internal_error", "Something went wrong on our side. Please try again.".into()),
        };
        let mut body = json!({ "error": { "code": code, "message": message } });
        if let Self::Domain(DomainError { details: Some(details), .. }) = &self {
            body["error"]["details"] = details.clone();
        }
        let mut response = Response::from_json(&body)
            .unwrap_or_else(|_| Response::empty().expect("an empty response can always be built"))
            .with_status(status);
        if let Self::MethodNotAllowed { allow } = self {
            let _ = response.headers_mut().set("allow", allow);
        }
        if let Self::Domain(DomainError { retry_after_secs: Some(secs), .. }) = &self {
            let _ = response.headers_mut().set("retry-after", &secs.to_string());
        }
        response
    }
}

/// Status per error kind. 5xx only for real faults.
pub fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::BadRequest => 400,
        ErrorKind::Unauthenticated => 401,
        ErrorKind::PaymentRequired => 402,
        ErrorKind::Forbidden => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::MethodNotAllowed => 405,
        ErrorKind::Conflict => 409,
        ErrorKind::Gone => 410,
        ErrorKind::PayloadTooLarge => 413,
        ErrorKind::UnsupportedMediaType => 415,
        ErrorKind::Unprocessable => 422,
        ErrorKind::RateLimited => 429,
        ErrorKind::Upstream => 502,
        ErrorKind::Misconfigured => 503,
        ErrorKind::Internal => 500,
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::Internal(error.to_string())
    }
}
