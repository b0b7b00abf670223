//! Reads request bodies under a size cap enforced while reading (the shared bounded reader), and JSON bodies with
//! a media-type check, turning every failure into a named 4xx.

use futures_util::StreamExt;
use gptimg_domain::{DomainError, ErrorKind};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use worker::Request;

use super::error::ApiError;

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

/// The whole body, or `None` once it is known to exceed `max_bytes`: refused from a larger `Content-Length`, and
/// otherwise counted chunk by chunk, so a body without one is abandoned as soon as it passes the cap and never
/// buffered beyond it. A request without a body reads as empty.
pub async fn read_capped(req: &mut Request, max_bytes: usize) -> worker::Result<Option<Vec<u8>>> {
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_bytes) {
        return Ok(None);
    }
    let Ok(mut stream) = req.stream() else { return Ok(Some(Vec::new())) };
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if bytes.len() + chunk.len() > max_bytes {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}
