//! Reference images: `POST /api/uploads` (bytes sniffed, bounded, quota), and the signed expiring link APIPod
//! fetches them through (`GET /uploads/{id}/content?exp=&sig=`).

use gptimg_domain::generation::UploadId;
use gptimg_domain::images::MAX_UPLOAD_BYTES;
use gptimg_domain::links;
use gptimg_domain::{DomainError, ErrorKind};
use worker::{Request, Response};

use super::error::ApiError;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::blobs::{self, PutError};
use crate::body::Body;
use crate::platform::{self, CryptoRandom};
use crate::store::uploads::{self, Upload};

/// `POST /api/uploads` with the image as the raw body. The declared type is ignored; the bytes decide. The body
/// streams into R2 while it is checked (see `blobs::put_checked`); anything refused leaves no object or row.
pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let body = Body::take(&mut req);
    let id = UploadId::generate(&mut CryptoRandom);
    let r2_key = blobs::upload_key(&user.account.id, id.as_str());
    let bucket = blobs::bucket(&ctx.env)?;
    let stored = match blobs::put_checked(&bucket, &r2_key, body.chunks, body.declared, MAX_UPLOAD_BYTES).await {
        Ok(stored) => stored,
        Err(PutError::Refused(refusal)) => return Err(refusal.into()),
        Err(PutError::Storage(error)) => return Err(error.into()),
    };
    let info = stored.image.info;
    let upload = Upload {
        id: id.as_str().to_owned(),
        r2_key,
        content_type: info.format.content_type().to_owned(),
        size_bytes: stored.image.size_bytes as i64,
        sha256: stored.image.sha256,
        width: i64::from(info.width),
        height: i64::from(info.height),
        created_at: platform::now().0,
    };
    if !uploads::insert(&ctx.db()?, &user.account.id, &upload, platform::now()).await? {
        blobs::delete_all(&bucket, std::slice::from_ref(&upload.r2_key)).await?;
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "upload_quota_exceeded",
            "You have reached the limit of stored reference images.",
        )
        .into());
    }
    Ok(private_json(&serde_json::to_value(&upload).map_err(ApiError::internal)?)?.with_status(201))
}

/// `GET /uploads/{id}/content?exp=&sig=`: only with a valid, unexpired signature; anything else is 404.
pub async fn signed_content(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found("upload_not_found", "There is no such upload.");
    let config = ctx.config()?;
    let param = |name: &str| super::query_param(&req, name);
    let id = UploadId::parse(raw_id).ok_or_else(not_found)?;
    let expires = param("exp").and_then(|v| v.parse::<i64>().ok()).ok_or_else(not_found)?;
    let signature = param("sig").ok_or_else(not_found)?;
    if !links::verify(
        config.session_secret.expose().as_bytes(),
        id.as_str(),
        expires,
        &signature,
        platform::now().as_secs(),
    ) {
        return Err(not_found());
    }
    let upload = uploads::find(&ctx.db()?, id.as_str()).await?.ok_or_else(not_found)?;
    let object = blobs::get(&blobs::bucket(&ctx.env)?, &upload.r2_key, None).await?.ok_or_else(not_found)?;
    let body = object.body().ok_or_else(not_found)?.response_body()?;
    let mut response = Response::from_body(body)?;
    response.headers_mut().set("content-type", &upload.content_type)?;
    response.headers_mut().set("cache-control", "private, no-store")?;
    Ok(response)
}
