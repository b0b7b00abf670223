//! Refuses state-changing requests sent from another origin (CSRF), using `Origin` and `Sec-Fetch-Site`.

use gptimg_domain::csrf::check_same_origin;
use worker::{Method, Request};

use super::error::ApiError;

pub fn is_state_changing(method: &Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

/// The decision is `gptimg_domain::csrf::check_same_origin`; this only reads the two headers.
pub fn require_same_origin(req: &Request, app_origin: &str) -> Result<(), ApiError> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    Ok(check_same_origin(header("origin").as_deref(), header("sec-fetch-site").as_deref(), app_origin)?)
}
