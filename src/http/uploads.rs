//! Reference images: `POST /api/uploads` (rate and quota first, then bytes sniffed and bounded), `DELETE
//! /api/uploads/{id}`, and the signed expiring link APIPod fetches them through (`GET /uploads/{id}/content?exp=&sig=`).

use gptimg_domain::api::uploads::UploadView;
use gptimg_domain::generation::UploadId;
use gptimg_domain::images::uploads::upload_not_found;
use worker::{Request, Response};

use super::error::ApiError;
use super::idempotency;
use super::session::current_user;
use super::{private_json, signed_bytes, RequestContext};
use crate::body::Body;
use crate::platform::{self, CryptoRandom};
use crate::usecases::idempotent::Idempotent;
use crate::usecases::uploads::{self as usecase, Upload};

fn view(upload: &Upload) -> UploadView<'_> {
    UploadView {
        id: &upload.id,
        content_type: &upload.content_type,
        size_bytes: upload.size_bytes,
        sha256: &upload.sha256,
        width: upload.width,
        height: upload.height,
        created_at: upload.created_at,
    }
}

/// `POST /api/uploads` with the image as the raw body. The declared type is ignored; the bytes decide. The body
/// streams into R2 while it is checked (see the uploads use case); anything refused leaves no object or row. A
/// repeated `Idempotency-Key` gets the first answer again.
pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let account = current_user(&req, ctx).await?.account.id;
    let key = idempotency::key(&req)?;
    let body = Body::take(&mut req);
    let (db, bucket) = (ctx.db()?, ctx.bucket()?);
    let (upload, replayed) =
        match usecase::create(&db, &bucket, &account, body, key.as_ref(), platform::now(), &mut CryptoRandom).await? {
            Idempotent::Done(upload) => (upload, false),
            Idempotent::Replayed(upload) => (upload, true),
            Idempotent::Rendered { status, body } => return idempotency::replayed(status, body),
        };
    idempotency::answered(private_json(&view(&upload))?.with_status(201), replayed)
}

/// `DELETE /api/uploads/{id}`: 204 once the row is gone and its bytes are on their way out (R2 to-do).
pub async fn delete(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let account = current_user(req, ctx).await?.account.id;
    let (db, bucket) = (ctx.db()?, ctx.bucket()?);
    usecase::delete(&db, &bucket, &account, raw_id, platform::now()).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /uploads/{id}/content?exp=&sig=`: only with a valid, unexpired signature; anything else is 404.
pub async fn signed_content(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let not_found = || ApiError::from(upload_not_found());
    let id = UploadId::parse(raw_id).ok_or_else(not_found)?;
    let (expires, signature) = signed_bytes::signature(req).ok_or_else(not_found)?;
    let secret = ctx.config()?.session_secret.expose().as_bytes();
    let (db, bucket) = (ctx.db()?, ctx.bucket()?);
    let (upload, object) = usecase::signed_content(&db, &bucket, secret, &id, expires, &signature, platform::now())
        .await?
        .ok_or_else(not_found)?;
    signed_bytes::respond(&object, &upload.content_type, not_found)
}
