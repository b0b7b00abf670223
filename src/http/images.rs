//! `GET /images/{id}?size=preview|medium|original`: image bytes for their owner, or anyone holding the
//! generation's share token. A rendition not made yet serves the original. ETag / If-None-Match, single byte
//! ranges, private caching (immutable when the URL carries the served bytes' version, `?v=`).

use gptimg_domain::generation::ImageId;
use gptimg_domain::images::sizes::{cache_control, reference_size, ImageSize, RENDITION_CONTENT_TYPE};
use gptimg_domain::images::{etag_matches, parse_range, UnsatisfiableRange};
use gptimg_domain::links;
use gptimg_domain::{DomainError, ErrorKind};
use worker::{Headers, Range, Request, Response};

use super::error::ApiError;
use super::{query_param, session, signed_bytes, RequestContext};
use crate::platform;
use crate::usecases::images::{self as usecase, Reader};

fn not_found() -> ApiError {
    ApiError::not_found("image_not_found", "There is no such image.")
}

pub async fn get(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let id = ImageId::parse(raw_id).ok_or_else(not_found)?;
    let size = ImageSize::parse(query_param(req, "size").as_deref())?;
    let share = query_param(req, "share");
    // A key request was authenticated at dispatch; its cookie, if any, is ignored.
    let key_account = ctx.key_account().map(|account| account.id);
    let session_hash = session::session_token(req, ctx).map(|token| token.hash());
    if session_hash.is_none() && share.is_none() && key_account.is_none() {
        return Err(not_found());
    }
    let db = ctx.db()?;
    let (session, key) = (session_hash.as_deref(), key_account.as_deref());
    let reader = Reader { session_hash: session, share_token: share.as_deref(), key_account: key };
    let image = usecase::readable(&db, id.as_str(), &reader, platform::now()).await?.ok_or_else(not_found)?;
    let rendition = image.rendition(size);
    let stand_in = size != ImageSize::Original && rendition.is_none();
    let image = rendition.unwrap_or_else(|| image.original());

    let headers = Headers::new();
    headers.set("etag", &image.etag)?;
    headers.set("cache-control", cache_control(query_param(req, "v").as_deref(), &image.etag, stand_in))?;
    headers.set("accept-ranges", "bytes")?;
    if etag_matches(req.headers().get("if-none-match")?.as_deref(), &image.etag) {
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    let size = u64::try_from(image.size_bytes).unwrap_or(0);
    let range = match parse_range(req.headers().get("range")?.as_deref(), size) {
        Ok(range) => range,
        Err(_) => {
            headers.set("content-range", &UnsatisfiableRange::content_range(size))?;
            // `with_headers` replaces the error's own headers: keep its body's type.
            headers.set("content-type", "application/json")?;
            let error = ApiError::from(DomainError::new(
                ErrorKind::RangeNotSatisfiable,
                "range_not_satisfiable",
                "The requested range is outside the image.",
            ));
            return Ok(error.into_response().with_headers(headers));
        }
    };
    let r2_range = range.map(|r| Range::OffsetWithLength { offset: r.offset, length: r.length });
    let object = usecase::bytes(&ctx.bucket()?, &image.r2_key, r2_range).await?.ok_or_else(not_found)?;
    let body = object.body().ok_or_else(not_found)?.response_body()?;
    headers.set("content-type", &image.content_type)?;
    let (status, length) = match range {
        Some(r) => {
            headers.set("content-range", &r.content_range(size))?;
            (206, r.length)
        }
        None => (200, size),
    };
    headers.set("content-length", &length.to_string())?;
    Ok(Response::from_body(body)?.with_status(status).with_headers(headers))
}

/// `GET /images/{id}/content?exp=&sig=`: the image for APIPod, when it is a generation's reference (signed as
/// reference uploads are, `jobs::submit`): the original, or its medium when the original is over the edit models'
/// input cap (`images::sizes::reference_size`); anything else is 404.
pub async fn signed_content(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let id = ImageId::parse(raw_id).ok_or_else(not_found)?;
    let (expires, signature) = signed_bytes::signature(req).ok_or_else(not_found)?;
    let secret = ctx.config()?.session_secret.expose().as_bytes();
    if !links::verify(secret, id.as_str(), expires, &signature, platform::now().as_secs()) {
        return Err(not_found());
    }
    let image = usecase::signed(&ctx.db()?, &id).await?.ok_or_else(not_found)?;
    let original_bytes = u64::try_from(image.size_bytes).unwrap_or(0);
    let (key, content_type) = match (reference_size(original_bytes, image.medium_key.is_some()), &image.medium_key) {
        (ImageSize::Medium, Some(medium)) => (medium, RENDITION_CONTENT_TYPE),
        _ => (&image.r2_key, image.content_type.as_str()),
    };
    let object = usecase::bytes(&ctx.bucket()?, key, None).await?.ok_or_else(not_found)?;
    signed_bytes::respond(&object, content_type, not_found)
}
