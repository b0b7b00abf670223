//! The plan and model catalogues, Stripe Checkout for packs and subscriptions, and the Billing Portal.

use gptimg_domain::api::models::ModelsResponse;
use gptimg_domain::billing::checkout::CheckoutReturn;
use gptimg_domain::billing::plans::Plan;
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::platform;
use crate::usecases::checkout;

#[derive(Serialize)]
struct PlansResponse<'a> {
    /// Serialized without their Stripe price ids.
    plans: &'a [Plan],
}

#[derive(Serialize)]
struct CheckoutResponse {
    url: String,
    id: String,
}

#[derive(Serialize)]
struct PortalResponse {
    url: String,
}

/// A public catalogue answer, cacheable for five minutes.
fn public_catalogue(body: &impl Serialize) -> Result<Response, ApiError> {
    let mut response = Response::from_json(body)?;
    response.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(response)
}

/// `GET /api/plans`: the public catalogue (Stripe price ids stay private).
pub fn plans(ctx: &RequestContext) -> Result<Response, ApiError> {
    public_catalogue(&PlansResponse { plans: ctx.config()?.plans.all() })
}

/// `GET /api/models`: the generation models with their credit cost, aspect ratios and reference limits.
pub fn models(ctx: &RequestContext) -> Result<Response, ApiError> {
    public_catalogue(&ModelsResponse { models: ctx.config()?.models.all() })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutRequest {
    plan: String,
    return_to: Option<String>,
}

/// `POST /api/billing/checkout {"plan", "return_to"?}`: a Stripe Checkout Session for the signed-in user that
/// returns to `/account` (default) or `/app`; records nothing.
pub async fn checkout(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let body: CheckoutRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    let back = CheckoutReturn::parse(body.return_to.as_deref())?;
    let session =
        checkout::start_checkout(ctx.config()?, &user.account, &body.plan, back, platform::now(), &ctx.request_id)
            .await?;
    Ok(private_json(&CheckoutResponse { url: session.url, id: session.id })?)
}

/// `POST /api/billing/portal`: a Billing Portal session for managing the subscription and invoices.
pub async fn portal(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let url = checkout::open_portal(ctx.config()?, &user.account, &ctx.request_id).await?;
    Ok(private_json(&PortalResponse { url })?)
}
