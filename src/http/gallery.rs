//! The gallery: `GET /api/generations` with filters, favourites, and `POST /api/generations/delete`.

use gptimg_domain::api::generations::{DeleteRequest, DeleteView, GenerationPage, KeptView};
use gptimg_domain::gallery::{delete_ids, GalleryFilter};
use worker::{Request, Response};

use super::error::ApiError;
use super::generations::{caller_and_id, render, view};
use super::json_body::read_json;
use super::session::current_user;
use super::{paging, private_json, query_param, RequestContext};
use crate::platform;
use crate::usecases::gallery as usecase;

/// 100 ids of ~30 characters, quoted, with room for whitespace.
const MAX_DELETE_BYTES: usize = 8 * 1024;

/// `GET /api/generations?cursor=&limit=&q=&model=&favourites=1`: the gallery, newest first, filtered.
pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let account = current_user(req, ctx).await?.account.id;
    let page = paging::from_query(req)?;
    let config = ctx.config()?;
    let param = |name: &str| query_param(req, name);
    let filter = GalleryFilter::parse(
        param("q").as_deref(),
        param("model").as_deref(),
        param("favourites").as_deref(),
        &config.models,
    )?;
    let (rows, next) = usecase::list(&ctx.db()?, &account, &filter, page.cursor.as_ref(), page.limit).await?;
    let now = platform::now();
    let generations = rows.iter().map(|row| view(row, config, now)).collect();
    Ok(private_json(&GenerationPage { generations, next_cursor: next.map(|c| c.encode()) })?)
}

/// `PUT` (mark) and `DELETE` (unmark) `/api/generations/{id}/favourite`: the generation as it now is.
pub async fn favourite(req: &Request, ctx: &RequestContext, raw_id: &str, on: bool) -> Result<Response, ApiError> {
    let (account, id) = caller_and_id(req, ctx, raw_id).await?;
    render(&usecase::set_favourite(&ctx.db()?, &id, &account, on).await?, ctx)
}

/// `POST /api/generations/delete` `{ "ids": [...] }`: deletes the caller's finished ones; says why each other was kept.
pub async fn delete_many(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let account = current_user(&req, ctx).await?.account.id;
    let request: DeleteRequest = read_json(&mut req, MAX_DELETE_BYTES, &["application/json"]).await?;
    let ids = delete_ids(&request.ids)?;
    let outcome = usecase::delete_many(&ctx.db()?, &ctx.bucket()?, &ids, &account, platform::now()).await?;
    let kept = outcome.kept.iter().map(|k| KeptView { id: &k.id, code: k.code }).collect();
    Ok(private_json(&DeleteView { deleted: &outcome.deleted, kept })?)
}
