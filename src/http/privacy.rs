//! The user's privacy rights: consent (terms and minimum age), export everything, delete the account.

use gptimg_domain::account::consent::ConsentRequest;
use gptimg_domain::account::deletion::DeleteRequest;
use serde::Serialize;
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::signed_in_user;
use super::{private_json, RequestContext};
use crate::platform;
use crate::usecases::account_deletion::{self, Deletion};
use crate::usecases::{export, profile};

#[derive(Serialize)]
struct ConsentResponse {
    terms_version: String,
    age_confirmed: bool,
}

#[derive(Serialize)]
struct DeletionPending<'a> {
    status: &'static str,
    message: &'static str,
    request_id: &'a str,
}

/// `POST /api/me/consent {"terms_version","age_confirmed":true}`: records the version and time.
pub async fn consent(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(&req, ctx).await?;
    let request: ConsentRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    profile::accept_terms(&ctx.db()?, &user.account.id, &request, platform::now()).await?;
    Ok(private_json(&ConsentResponse { terms_version: request.terms_version, age_confirmed: true })?)
}

/// `GET /api/me/export`: everything held about the user as a JSON download streamed page by page, with signed
/// links to their uploads and images.
pub async fn export(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    let config = ctx.config()?;
    let document = export::stream(export::Export {
        db: ctx.db()?,
        account_id: user.account.id,
        secret: config.session_secret.expose().as_bytes().to_vec(),
        app_url: config.app_url.clone(),
        now: platform::now(),
    });
    let mut response = Response::from_stream(document)?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "private, no-store")?;
    headers.set("content-disposition", "attachment; filename=\"gptimg-export.json\"")?;
    Ok(response)
}

/// `DELETE /api/me {"confirm":"DELETE"}`: deletes the account (204), or, when Stripe fails, erases everything
/// personal and ends every session at once and leaves the rest to the cron (202 `deletion_pending`).
pub async fn delete(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(&req, ctx).await?;
    let request: DeleteRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    let config = ctx.config()?;
    let mut response = match account_deletion::delete_account(
        ctx,
        &ctx.env,
        config,
        &user.account.id,
        &request,
        &ctx.request_id,
    )
    .await?
    {
        Deletion::Done => Response::empty()?.with_status(204),
        Deletion::Pending { cause, .. } => {
            crate::log::event(ctx.request_id.as_str(), "deletion_interrupted", json!({ "cause": cause }));
            private_json(&DeletionPending {
                status: "deletion_pending",
                message: "You are signed out, your account can no longer be used and its profile is erased. The rest (cancelling your subscription with Stripe, erasing your images, prompts and stored files) has not completed yet; we finish it automatically.",
                request_id: ctx.request_id.as_str(),
            })?
            .with_status(202)
        }
    };
    let secure = config.app_url.is_https();
    let clear = super::cookies::clear(super::cookies::session_cookie(secure), "/", secure);
    response.headers_mut().append("set-cookie", &clear)?;
    Ok(response)
}
