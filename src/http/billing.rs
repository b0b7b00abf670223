//! The plan and model catalogues, Stripe Checkout for packs and subscriptions, and the Billing Portal.

use gptimg_domain::billing::{checkout_idempotency_key, is_live_subscription};
use gptimg_domain::catalogue::PlanKind;
use gptimg_domain::{DomainError, ErrorKind};
use serde::Deserialize;
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::clients::stripe::{self, StripeError};
use crate::log;
use crate::platform;

/// `GET /api/plans`: the public catalogue (Stripe price ids stay private).
pub fn plans(ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let mut response = Response::from_json(&json!({ "plans": config.plans.all() }))?;
    response.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(response)
}

/// `GET /api/models`: the generation models with their credit cost, aspect ratios and reference limits.
pub fn models(ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let mut response = Response::from_json(&json!({ "models": config.models.all() }))?;
    response.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutRequest {
    plan: String,
}

/// Stripe's own words (which can name prices, parameters and key prefixes) go to the log under the request id;
/// the user gets our message and that id to quote to support.
fn stripe_failure(ctx: &RequestContext, error: StripeError) -> ApiError {
    let request_id = ctx.request_id.as_str();
    let (code, message, cause) = match error {
        StripeError::Rejected(cause) => (
            "stripe_rejected",
            format!("We could not start the payment. Nothing was charged; please contact support quoting request {request_id}."),
            cause,
        ),
        StripeError::Unavailable(cause) => (
            "stripe_unavailable",
            format!("Stripe is not responding. Nothing was charged; please try again (request {request_id})."),
            cause,
        ),
    };
    log::event(request_id, "stripe_request_failed", json!({ "code": code, "cause": cause }));
    DomainError::new(ErrorKind::Upstream, code, message).with_details(json!({ "request_id": request_id })).into()
}

/// `POST /api/billing/checkout {"plan"}`: a Stripe Checkout Session for the signed-in user; records nothing.
pub async fn checkout(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let config = ctx.config()?;
    let body: CheckoutRequest = read_json(&mut req, 1024, &["application/json"]).await?;
    let plan =
        config.plans.by_id(&body.plan).ok_or_else(|| DomainError::invalid("unknown_plan", "There is no such plan."))?;
    let account = &user.account;
    let has_live_subscription = account.subscription().is_some_and(|s| is_live_subscription(&s.status));
    if plan.kind == PlanKind::Subscription && has_live_subscription {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "already_subscribed",
            "You already have a subscription; manage it from billing.",
        )
        .into());
    }
    let mode = match plan.kind {
        PlanKind::Pack => "payment",
        PlanKind::Subscription => "subscription",
    };
    let metadata_prefix = match plan.kind {
        PlanKind::Pack => "payment_intent_data[metadata]",
        PlanKind::Subscription => "subscription_data[metadata]",
    };
    let mut form: Vec<(&str, String)> = vec![
        ("mode", mode.to_owned()),
        ("line_items[0][price]", plan.stripe_price_id.clone()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("success_url", config.app_url.join("/account?checkout=success&session_id={CHECKOUT_SESSION_ID}")),
        ("cancel_url", config.app_url.join("/account?checkout=cancelled")),
        ("client_reference_id", account.id.clone()),
        ("metadata[account_id]", account.id.clone()),
        ("metadata[plan_id]", plan.id.clone()),
    ];
    let nested_account = format!("{metadata_prefix}[account_id]");
    let nested_plan = format!("{metadata_prefix}[plan_id]");
    form.push((&nested_account, account.id.clone()));
    form.push((&nested_plan, plan.id.clone()));
    match &account.stripe_customer_id {
        Some(customer) => form.push(("customer", customer.clone())),
        None => {
            form.push(("customer_email", account.email.clone()));
            if plan.kind == PlanKind::Pack {
                form.push(("customer_creation", "always".to_owned()));
            }
        }
    }
    let key = checkout_idempotency_key(&account.id, &plan.id, platform::now());
    let session = stripe::create_checkout_session(config, &form, &key).await.map_err(|e| stripe_failure(ctx, e))?;
    Ok(private_json(&json!({ "url": session.url, "id": session.id }))?)
}

/// `POST /api/billing/portal`: a Billing Portal session for managing the subscription and invoices.
pub async fn portal(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let config = ctx.config()?;
    let customer = user.account.stripe_customer_id.as_deref().ok_or_else(|| {
        DomainError::new(
            ErrorKind::Conflict,
            "no_billing_account",
            "You have no billing history yet; buy a pack or subscribe first.",
        )
    })?;
    let session = stripe::create_portal_session(config, customer, &config.app_url.join("/account"))
        .await
        .map_err(|e| stripe_failure(ctx, e))?;
    Ok(private_json(&json!({ "url": session.url }))?)
}
