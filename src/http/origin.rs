//! Refuses state-changing requests sent from another origin (CSRF), using `Origin` and `Sec-Fetch-Site`.

use gptimg_domain::{DomainError, ErrorKind};
use worker::{Method, Request};

use super::error::ApiError;

pub fn is_state_changing(method: &Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

/// Browsers always send `Origin` on cross-origin writes; non-browser clients send neither header,
/// and cannot ride on a visitor's cookies anyway.
pub fn require_same_origin(req: &Request, app_origin: &str) -> Result<(), ApiError> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let origin_ok = header("origin").is_none_or(|origin| origin == app_origin);
    let fetch_site_ok = header("sec-fetch-site").is_none_or(|site| site == "same-origin" || site == "none");
    if origin_ok && fetch_site_ok {
        Ok(())
    } else {
        Err(DomainError::new(
            ErrorKind::Forbidden,
            "cross_origin_request",
            "Requests from other sites are not allowed.",
        )
        .into())
    }
}
