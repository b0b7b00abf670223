//! Reads JSON request bodies through the shared bounded reader (`crate::body`) with a media-type check, turning
//! every failure into a named 4xx.

use gptimg_domain::{DomainError, ErrorKind};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use worker::Request;

use super::error::ApiError;
pub use crate::body::read_capped;

pub async fn read_json<T: DeserializeOwned>(
    req: &mut Request,
    max_bytes: usize,
    accepted_types: &[&str],
) -> Result<T, ApiError> {
    let media_type = req.headers().get("content-type")?.unwrap_or_default();
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !accepted_types.contains(&essence.as_str()) {
        return Err(DomainError::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_media_type",
            format!("Send the body as {}.", accepted_types.join(" or ")),
        )
        .into());
    }
    let too_large = || {
        ApiError::from(DomainError::new(
            ErrorKind::PayloadTooLarge,
            "body_too_large",
            format!("The request body must be at most {max_bytes} bytes."),
        ))
    };
    let bytes = read_capped(req, max_bytes).await?.ok_or_else(too_large)?;
    serde_json::from_slice(&bytes).map_err(|error| {
        let code = match error.classify() {
            Category::Data => "invalid_request_body",
            Category::Syntax | Category::Eof | Category::Io => "malformed_json",
        };
        DomainError::new(ErrorKind::BadRequest, code, format!("The request body is not valid: {error}.")).into()
    })
}
