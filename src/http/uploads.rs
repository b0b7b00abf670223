//! Reference images: `POST /api/uploads` (bytes sniffed, bounded, quota), and the signed expiring link APIPod
//! fetches them through (`GET /uploads/{id}/content?exp=&sig=`).

use gptimg_domain::generation::UploadId;
use gptimg_domain::images::{inspect, sha256_hex, MAX_UPLOAD_BYTES};
use gptimg_domain::links;
use gptimg_domain::{DomainError, ErrorKind};
use worker::{Request, Response};

use super::error::ApiError;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::blobs;
use crate::platform::{self, CryptoRandom};
use crate::store::uploads::{self, Upload};

fn too_large() -> ApiError {
    DomainError::new(ErrorKind::PayloadTooLarge, "image_too_large", "Images must be at most 10 MiB.").into()
}

/// `POST /api/uploads` with the image as the raw body. The declared type is ignored; the bytes decide.
pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let bytes = req.bytes().await?;
    let info = inspect(&bytes, MAX_UPLOAD_BYTES)?;
    let id = UploadId::generate(&mut CryptoRandom);
    let upload = Upload {
        id: id.as_str().to_owned(),
        r2_key: blobs::upload_key(&user.account.id, id.as_str()),
        content_type: info.format.content_type().to_owned(),
        size_bytes: bytes.len() as i64,
        sha256: sha256_hex(&bytes),
        width: i64::from(info.width),
        height: i64::from(info.height),
        created_at: platform::now().0,
    };
    let bucket = blobs::bucket(&ctx.env)?;
    blobs::put(&bucket, &upload.r2_key, bytes, &upload.content_type).await?;
    if !uploads::insert(&ctx.db()?, &user.account.id, &upload, platform::now()).await? {
        blobs::delete_all(&bucket, vec![upload.r2_key.clone()]).await?;
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "upload_quota_exceeded",
            "You have reached the limit of stored reference images.",
        )
        .into());
    }
    Ok(private_json(&serde_json::to_value(&upload).map_err(|e| ApiError::Internal(e.to_string()))?)?.with_status(201))
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
