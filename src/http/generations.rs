//! `/api/generations`: start a generation (charged once, refunded on failure), the gallery, details, delete, share.

use gptimg_domain::generation::{refusal, validate, GenerationId, GenerationRequest, DEADLINE_SECS};
use gptimg_domain::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::links::new_share_token;
use gptimg_domain::DomainError;
use serde_json::{json, Value};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::paging;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::config::Config;
use crate::platform::{self, CryptoRandom};
use crate::store::gallery::{self, GenerationRow};
use crate::store::generations::{self as store, NewGeneration};
use crate::{blobs, jobs};

const MAX_REQUEST_BYTES: usize = 32 * 1024;

fn not_found() -> ApiError {
    ApiError::not_found("generation_not_found", "There is no such generation.")
}

/// The API's view of a generation. Share links appear only while sharing is on.
fn generation_json(row: &GenerationRow, config: &Config) -> Value {
    let images: Vec<Value> = serde_json::from_str::<Vec<Value>>(&row.images_json)
        .unwrap_or_default()
        .into_iter()
        .map(|mut image| {
            let id = image["id"].as_str().unwrap_or_default().to_owned();
            image["url"] = json!(format!("/images/{id}"));
            if let Some(token) = &row.share_token {
                image["share_url"] = json!(config.app_url.join(&format!("/images/{id}?share={token}")));
            }
            image
        })
        .collect();
    let failure = row.failure_code.as_ref().map(|code| json!({ "code": code, "message": row.failure_message }));
    json!({
        "id": row.id,
        "status": row.status,
        "in_progress": matches!(row.status.as_str(), "queued" | "running"),
        "prompt": row.prompt,
        "model": row.model_id,
        "model_name": config.models.by_id(&row.model_id).map(|m| m.name.as_str()),
        "aspect_ratio": row.aspect_ratio,
        "quality": row.quality,
        "reference_upload_ids": serde_json::from_str::<Value>(&row.reference_upload_ids).unwrap_or(json!([])),
        "cost": row.cost,
        "created_at": row.created_at,
        "finished_at": row.finished_at,
        "failure": failure,
        "shared": row.share_token.is_some(),
        "images": images,
    })
}

/// `POST /api/generations`: validate, admit and charge in one batch, submit, 202 with the generation.
pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let config = ctx.config()?;
    let request: GenerationRequest = read_json(&mut req, MAX_REQUEST_BYTES, &["application/json"]).await?;
    let valid = validate(&request, &config.models)?;
    let id = GenerationId::generate(&mut CryptoRandom);
    let reference_ids: Vec<&str> = valid.references.iter().map(|r| r.as_str()).collect();
    let reference_ids_json = serde_json::to_string(&reference_ids).map_err(ApiError::internal)?;
    let now = platform::now();
    let db = ctx.db()?;
    let refused = store::admit(
        &db,
        &NewGeneration {
            id: id.as_str(),
            debit_entry_id: LedgerEntryId::generate(&mut CryptoRandom).as_str(),
            account_id: &user.account.id,
            prompt: valid.prompt.as_str(),
            model_id: &valid.model.id,
            apipod_model: valid.apipod_model(),
            aspect_ratio: &valid.aspect_ratio,
            quality: valid.quality.as_deref(),
            reference_ids_json: &reference_ids_json,
            cost: valid.cost,
            description: &LedgerKind::GenerationDebit.description(&valid.model.name),
            deadline: now.plus_secs(DEADLINE_SECS),
            now,
        },
    )
    .await?;
    if let Some(facts) = refused {
        return Err(refusal(&facts, valid.references.len(), valid.cost, now.0).into());
    }
    let row = match jobs::submit(&db, &ctx.env, config, id.as_str(), &valid, now).await? {
        // What was just written is known: no need to read it back.
        jobs::Submitted::Running => GenerationRow {
            id: id.as_str().to_owned(),
            status: "running".to_owned(),
            prompt: valid.prompt.as_str().to_owned(),
            model_id: valid.model.id.clone(),
            aspect_ratio: valid.aspect_ratio.clone(),
            quality: valid.quality.clone(),
            reference_upload_ids: reference_ids_json,
            cost: valid.cost,
            failure_code: None,
            failure_message: None,
            share_token: None,
            created_at: now.0,
            finished_at: None,
            images_json: "[]".to_owned(),
        },
        jobs::Submitted::Settled => gallery::find(&db, id.as_str(), &user.account.id).await?.ok_or_else(not_found)?,
    };
    Ok(private_json(&generation_json(&row, config))?.with_status(202))
}

/// `GET /api/generations?cursor=&limit=`: the gallery, newest first.
pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let config = ctx.config()?;
    let page = paging::from_query(req)?;
    let (rows, next) = gallery::page(&ctx.db()?, &user.account.id, page.cursor.as_ref(), page.limit).await?;
    let generations: Vec<Value> = rows.iter().map(|row| generation_json(row, config)).collect();
    Ok(private_json(&json!({ "generations": generations, "next_cursor": next.map(|c| c.encode()) }))?)
}

fn parse_id(raw: &str) -> Result<GenerationId, ApiError> {
    GenerationId::parse(raw).ok_or_else(not_found)
}

/// `GET /api/generations/{id}`.
pub async fn get(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let id = parse_id(raw_id)?;
    let row = gallery::find(&ctx.db()?, id.as_str(), &user.account.id).await?.ok_or_else(not_found)?;
    Ok(private_json(&generation_json(&row, ctx.config()?))?)
}

/// `DELETE /api/generations/{id}`: removes the record and its images; the ledger keeps its history.
pub async fn delete(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let id = parse_id(raw_id)?;
    let db = ctx.db()?;
    match gallery::delete_finished(&db, id.as_str(), &user.account.id, platform::now()).await? {
        Some(keys) => {
            jobs::r2_cleanup::delete_now(&db, &blobs::bucket(&ctx.env)?, &keys).await;
            Ok(Response::empty()?.with_status(204))
        }
        None if gallery::find(&db, id.as_str(), &user.account.id).await?.is_some() => Err(DomainError::new(
            gptimg_domain::ErrorKind::Conflict,
            "generation_in_progress",
            "This generation is still running; delete it once it has finished.",
        )
        .into()),
        None => Err(not_found()),
    }
}

/// `POST /api/generations/{id}/share`: turns on an unguessable public link (the same one until revoked).
pub async fn share(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let id = parse_id(raw_id)?;
    let db = ctx.db()?;
    let token = new_share_token(&mut CryptoRandom);
    gallery::share(&db, id.as_str(), &user.account.id, &token, platform::now()).await?.ok_or_else(not_found)?;
    let row = gallery::find(&db, id.as_str(), &user.account.id).await?.ok_or_else(not_found)?;
    Ok(private_json(&generation_json(&row, ctx.config()?))?)
}

/// `DELETE /api/generations/{id}/share`: revokes the public link at once.
pub async fn unshare(req: &Request, ctx: &RequestContext, raw_id: &str) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let id = parse_id(raw_id)?;
    if gallery::unshare(&ctx.db()?, id.as_str(), &user.account.id, platform::now()).await? {
        Ok(Response::empty()?.with_status(204))
    } else {
        Err(not_found())
    }
}
