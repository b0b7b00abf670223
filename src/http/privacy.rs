//! The user's privacy rights: consent (terms and minimum age), export everything, delete the account.

use gptimg_domain::privacy::{validate_consent, ConsentRequest};
use gptimg_domain::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::signed_in_user;
use super::{private_json, RequestContext};
use crate::platform;
use crate::privacy::{self, DeletionError};
use crate::store::privacy as store;

/// `POST /api/me/consent {"terms_version","age_confirmed":true}`: records the version and time.
pub async fn consent(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(&req, ctx).await?;
    let request: ConsentRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    validate_consent(&request)?;
    store::record_consent(&ctx.db()?, &user.account.id, platform::now()).await?;
    Ok(private_json(&json!({ "terms_version": request.terms_version, "age_confirmed": true }))?)
}

/// `GET /api/me/export`: everything held about the user as a JSON download, with links to their images.
pub async fn export(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    let config = ctx.config()?;
    let mut data = store::export(&ctx.db()?, &user.account.id).await?;
    if let Some(Value::Array(generations)) = data.get_mut("generations") {
        for generation in generations {
            let images: Vec<Value> =
                generation["images"].as_str().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
            let with_links: Vec<Value> = images
                .into_iter()
                .map(|mut image| {
                    let id = image["id"].as_str().unwrap_or_default().to_owned();
                    image["url"] = json!(config.app_url.join(&format!("/images/{id}")));
                    image
                })
                .collect();
            generation["images"] = json!(with_links);
            generation["reference_upload_ids"] = generation["reference_upload_ids"]
                .as_str()
                .and_then(|raw| serde_json::from_str(raw).ok())
                .unwrap_or(json!([]));
        }
    }
    let now = platform::now();
    let document = store::export_document(data, now);
    let mut response = private_json(&document)?;
    response.headers_mut().set("content-disposition", "attachment; filename=\"gptimg-export.json\"")?;
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteRequest {
    confirm: String,
}

/// `DELETE /api/me {"confirm":"DELETE"}`: deletes the account (204), or, when Stripe fails, erases everything
/// personal and ends every session at once and leaves the rest to the cron (202 `deletion_pending`).
pub async fn delete(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(&req, ctx).await?;
    let request: DeleteRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    if request.confirm != "DELETE" {
        return Err(DomainError::invalid(
            "confirmation_required",
            "Type DELETE to confirm that you want your account deleted.",
        )
        .into());
    }
    let secure = ctx.config()?.app_url.is_https();
    let signed_out = |mut response: Response| -> Result<Response, ApiError> {
        response
            .headers_mut()
            .append("set-cookie", &super::cookies::clear(super::cookies::SESSION_COOKIE, "/", secure))?;
        Ok(response)
    };
    match privacy::delete_account(&ctx.env, ctx.config()?, &user.account.id, 0).await {
        Ok(()) => signed_out(Response::empty()?.with_status(204)),
        // Personal data and sessions are already gone; what is left is ours to finish (cron retries with
        // backoff, or an admin for a refusal), so the user is told it is accepted, not asked to retry.
        Err(error @ (DeletionError::Stripe(_) | DeletionError::Refused(_) | DeletionError::Paused)) => {
            crate::log::event(ctx.request_id.as_str(), "deletion_interrupted", json!({ "cause": error.cause() }));
            signed_out(private_json(&json!({
                "status": "deletion_pending",
                "message": "Your personal data has been erased and you are signed out. The rest (cancelling your subscription with Stripe, removing stored files) has not completed yet; we finish it automatically.",
                "request_id": ctx.request_id.as_str(),
            }))?.with_status(202))
        }
        Err(DeletionError::Storage(error)) => Err(ApiError::internal(error)),
    }
}
