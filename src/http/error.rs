//! The ONE place that maps errors to HTTP statuses and `{"error":{"code","message"}}` bodies.

use std::rc::Rc;

use gptimg_domain::api::error::{ErrorBody, ErrorFields};
use gptimg_domain::config::ConfigProblem;
use gptimg_domain::{Cause, DomainError, ErrorKind};
use worker::Response;

use crate::usecases::error::CoreError;

/// Every way a request can fail.
#[derive(Debug)]
pub enum ApiError {
    /// A rule said no; status from its `ErrorKind` (see `status_of`).
    Domain(DomainError),
    /// 405, with the methods the path does accept (from the route table).
    MethodNotAllowed { allow: String },
    /// 503 `service_misconfigured`: names the broken settings, never their values.
    Misconfigured(Rc<[ConfigProblem]>),
    /// 500 `internal_error`: the cause chain is logged under the request id, never returned.
    Internal(Cause),
}

impl ApiError {
    /// A fault of ours, keeping its cause for the log (never for the response).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        CoreError::internal(cause).into()
    }

    /// A fault of ours caused by `error`, keeping its whole `source()` chain for the log.
    pub fn caused_by(error: &(dyn std::error::Error + 'static)) -> Self {
        CoreError::caused_by(error).into()
    }

    /// Says what was being done when a fault happened (`"loading account"`); other errors pass unchanged.
    pub fn context(self, doing: impl Into<String>) -> Self {
        match self {
            Self::Internal(cause) => Self::Internal(cause.context(doing)),
            other => other,
        }
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

    /// The stable snake_case code clients see.
    pub fn code(&self) -> &str {
        match self {
            Self::Domain(error) => &error.code,
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Misconfigured(_) => "service_misconfigured",
            Self::Internal(_) => "internal_error",
        }
    }

    /// Turns the error into its response; the caller logs an `Internal` cause first.
    pub fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Self::Domain(error) => error.message.to_string(),
            Self::MethodNotAllowed { allow } => format!("This path accepts only {allow}."),
            Self::Misconfigured(problems) => {
                let names: Vec<String> = problems.iter().map(ToString::to_string).collect();
                format!("The service is misconfigured: {}.", names.join("; "))
            }
            Self::Internal(_) => "Something went wrong on our side. Please try again.".into(),
        };
        let details = match &self {
            Self::Domain(DomainError { details, .. }) => details.as_ref(),
            _ => None,
        };
        let retry_after_seconds = match &self {
            Self::Domain(DomainError { retry_after_secs, .. }) => *retry_after_secs,
            _ => None,
        };
        let body =
            ErrorBody { error: ErrorFields { code: self.code(), message: &message, details, retry_after_seconds } };
        let mut response = Response::from_json(&body)
            .unwrap_or_else(|_| Response::empty().expect("an empty response can always be built"))
            .with_status(status);
        if let Self::MethodNotAllowed { allow } = &self {
            let _ = response.headers_mut().set("allow", allow);
        }
        // RFC 6750: a refused bearer credential names the scheme it needs.
        if self.code() == "invalid_api_key" {
            let _ = response.headers_mut().set("www-authenticate", "Bearer");
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
        ErrorKind::Conflict => 409,
        ErrorKind::Gone => 410,
        ErrorKind::PayloadTooLarge => 413,
        ErrorKind::UnsupportedMediaType => 415,
        ErrorKind::RangeNotSatisfiable => 416,
        ErrorKind::Unprocessable => 422,
        ErrorKind::RateLimited => 429,
        ErrorKind::Upstream => 502,
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::Domain(error) => Self::Domain(error),
            CoreError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::caused_by(&error)
    }
}
