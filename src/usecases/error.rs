//! The core's one error: a rule's refusal or a fault of ours with its cause; `http::error` maps it to a status.

use gptimg_domain::{Cause, DomainError, ErrorKind};

/// Every way a use case or job can fail, with nothing of HTTP in it.
#[derive(Debug)]
pub enum CoreError {
    /// A rule said no (`domain/`); the http layer picks the status from its `ErrorKind`.
    Domain(DomainError),
    /// A fault of ours: the cause chain is for the log, never for the caller.
    Internal(Cause),
}

impl CoreError {
    /// A fault of ours, keeping its cause for the log.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(Cause::new(cause.to_string()))
    }

    /// A fault of ours caused by `error`, keeping its whole `source()` chain for the log.
    pub fn caused_by(error: &(dyn std::error::Error + 'static)) -> Self {
        Self::Internal(Cause::of(error))
    }

    pub fn not_found(code: &'static str, message: &'static str) -> Self {
        Self::Domain(DomainError::new(ErrorKind::NotFound, code, message))
    }
}

impl From<DomainError> for CoreError {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}

impl From<worker::Error> for CoreError {
    fn from(error: worker::Error) -> Self {
        Self::caused_by(&error)
    }
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Domain(error) => write!(f, "{}: {}", error.code, error.message),
            Self::Internal(cause) => write!(f, "{cause}"),
        }
    }
}

impl std::error::Error for CoreError {}
