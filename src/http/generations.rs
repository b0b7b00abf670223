//! `/api/generations`: start a generation (charged once, refunded on failure), details, delete, share; the
//! gallery's listing, favourites and multi-delete are in `gallery`.

use gptimg_domain::account::AccountId;
use gptimg_domain::api::generations::{
    FailureView, GenerationView, ImageView, ReferenceKind, ReferenceView, ShareRequest, Started,
};
use gptimg_domain::generation::{self, GenerationId, GenerationRequest};
use gptimg_domain::images::sizes::{versioned_path, ImageSize};
use gptimg_domain::links::{self, share_page_path, shared_image_path};
use gptimg_domain::time::UnixMillis;
use worker::{Request, Response};

use super::error::ApiError;
use super::idempotency;
use super::json_body::read_json;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::config::Config;
use crate::platform::{self, CryptoRandom};
use crate::usecases::generations::{self as usecase, GenerationRow, ImageRow, Submitter};
use crate::usecases::idempotent::Idempotent;

const MAX_REQUEST_BYTES: usize = 32 * 1024;

/// The API's view of a generation (`api::generations`). Share links appear only while sharing is on.
pub(super) fn view<'a>(row: &'a GenerationRow, config: &'a Config, now: UnixMillis) -> GenerationView<'a> {
    let share = row.share_token.as_deref();
    GenerationView {
        id: &row.id,
        status: row.status,
        in_progress: row.status.is_in_progress(),
        prompt: &row.prompt,
        model: &row.model_id,
        model_name: config.models.by_id(&row.model_id).map(|m| m.name.as_str()),
        aspect_ratio: &row.aspect_ratio,
        quality: row.quality.as_deref(),
        reference_upload_ids: &row.reference_upload_ids,
        batch_id: row.batch_id.as_ref(),
        reference_image_ids: &row.reference_image_ids,
        references: references(row, config, now),
        cost: row.cost,
        created_at: row.created_at,
        finished_at: row.finished_at,
        failure: row.failure_code.as_deref().map(|code| FailureView { code, message: row.failure_message.as_deref() }),
        shared: share.is_some(),
        share_page_url: share.map(|token| config.app_url.join(&share_page_path(token))),
        share_shows_prompt: row.share_shows_prompt,
        images: row.images.iter().map(|image| image_view(image, share, config)).collect(),
        favourite: row.favourite,
    }
}

/// The original and its renditions, each link versioned by the bytes it serves.
fn image_view<'a>(image: &'a ImageRow, share_token: Option<&str>, config: &Config) -> ImageView<'a> {
    let id = image.id.as_str();
    let medium_url = versioned_path(id, ImageSize::Medium, image.medium_etag.as_deref());
    ImageView {
        id,
        width: image.width,
        height: image.height,
        content_type: &image.content_type,
        size_bytes: image.size_bytes,
        // The public link for anyone holding the share token: the medium (share pages use it), versioned once made.
        share_url: share_token.map(|token| config.app_url.join(&share_path(id, token, &medium_url))),
        url: versioned_path(id, ImageSize::Original, Some(&image.etag)),
        medium_url,
        preview_url: versioned_path(id, ImageSize::Preview, image.preview_etag.as_deref()),
    }
}

/// The references in request order (uploads, then images) that still exist. An upload has no session-readable
/// URL, so its link is signed as APIPod's is, expiring on an hour boundary 1-2 hours ahead (stable meanwhile).
fn references(row: &GenerationRow, config: &Config, now: UnixMillis) -> Vec<ReferenceView> {
    let expires = (now.as_secs() / 3600 + 2) * 3600;
    let secret = config.session_secret.expose().as_bytes();
    let uploads = row.reference_upload_ids.iter().filter(|id| row.existing_uploads.contains(id)).map(|id| {
        let url = links::signed_path(secret, id.as_str(), &links::upload_content_path(id.as_str()), expires);
        ReferenceView { id: id.to_string(), kind: ReferenceKind::Upload, url }
    });
    let images = row.reference_image_ids.iter().filter_map(|id| {
        let found = row.existing_images.iter().find(|image| &image.id == id)?;
        let url = versioned_path(id.as_str(), ImageSize::Preview, found.preview_etag.as_deref());
        Some(ReferenceView { id: id.to_string(), kind: ReferenceKind::Image, url })
    });
    uploads.chain(images).collect()
}

/// `?share=…` followed by the medium's own query (`size=medium`, and its version once it exists).
pub(super) fn share_path(image_id: &str, token: &str, medium_url: &str) -> String {
    let medium_query = medium_url.split_once('?').map_or("", |(_, query)| query);
    format!("{}&{medium_query}", shared_image_path(image_id, token))
}

pub(super) fn render(row: &GenerationRow, ctx: &RequestContext) -> Result<Response, ApiError> {
    Ok(private_json(&view(row, ctx.config()?, platform::now()))?)
}

/// The signed-in caller's account id and the generation id from the path (an id we never issue is a 404).
pub(super) async fn caller_and_id(
    req: &Request,
    ctx: &RequestContext,
    raw_id: &str,
) -> Result<(AccountId, GenerationId), ApiError> {
    let account = current_user(req, ctx).await?.account.id;
    Ok((account, GenerationId::parse(raw_id).ok_or_else(generation::not_found)?))
}

/// `POST /api/generations`: validate, admit and charge in one batch, 202 with the generation (`queued`); the
/// submission to APIPod runs after the response, so its latency is never the caller's. A repeated
/// `Idempotency-Key` gets the first answer again.
pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let account = current_user(&req, ctx).await?.account.id;
    let key = idempotency::key(&req)?;
    let request: GenerationRequest = read_json(&mut req, MAX_REQUEST_BYTES, &["application/json"]).await?;
    let (db, config) = (ctx.db()?, ctx.config()?);
    let submitter = Submitter { background: ctx, env: &ctx.env, request_id: &ctx.request_id };
    let outcome =
        usecase::create(&db, config, &submitter, &account, &request, key.as_ref(), platform::now(), &mut CryptoRandom)
            .await?;
    let (created, replayed) = match outcome {
        Idempotent::Done(created) => (created, false),
        Idempotent::Replayed(created) => (created, true),
        Idempotent::Rendered { status, body } => return idempotency::replayed(status, body),
    };
    // As of admission, so a replay's signed links are the first answer's.
    let at = created.admitted_at;
    let generations = created.generations.iter().map(|row| view(row, config, at)).collect();
    let response = private_json(&Started { generations, cost: created.cost, credits: created.credits })?;
    idempotency::answered(response.with_status(202), replayed)
}

/// `GET /api/generations/{id}`.
pub async fn get(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let (account, id) = caller_and_id(req, ctx, raw_id).await?;
    render(&usecase::get(&ctx.db()?, &id, &account).await?, ctx)
}

/// `DELETE /api/generations/{id}`: removes the record and its images; the ledger keeps its history.
pub async fn delete(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let (account, id) = caller_and_id(req, ctx, raw_id).await?;
    usecase::delete(&ctx.db()?, &ctx.bucket()?, &id, &account, platform::now()).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/generations/{id}/share`: turns on an unguessable public link and page (the same one until revoked;
/// calling again updates whether the page shows the prompt).
pub async fn share(mut req: Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let (account, id) = caller_and_id(&req, ctx, raw_id).await?;
    let has_body = req.headers().get("content-type")?.is_some()
        || req.headers().get("content-length")?.is_some_and(|length| length.trim() != "0");
    let request: ShareRequest = match has_body {
        true => read_json(&mut req, 1024, &["application/json"]).await?,
        false => ShareRequest::default(),
    };
    let db = ctx.db()?;
    render(&usecase::share(&db, &id, &account, request.show_prompt, platform::now(), &mut CryptoRandom).await?, ctx)
}

/// `DELETE /api/generations/{id}/share`: revokes the public link at once.
pub async fn unshare(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let (account, id) = caller_and_id(req, ctx, raw_id).await?;
    usecase::unshare(&ctx.db()?, &id, &account, platform::now()).await?;
    Ok(Response::empty()?.with_status(204))
}
