//! Stripe REST at the pinned API version: form-encoded POSTs with the secret key and an Idempotency-Key;
//! Checkout, the Billing Portal and subscription cancellation.

use gptimg_domain::ids::RequestId;
use gptimg_domain::stripe::API_VERSION;
use serde::Deserialize;
use serde_json::Value;
use worker::Method;

use super::outbound::Outbound;
use crate::config::Config;

/// No Stripe call may hold a request (or the deletion sweep) longer than this; Stripe answers in well under a second.
const CALL_TIMEOUT_MS: u64 = 10_000;

#[derive(Debug)]
pub enum StripeError {
    /// Stripe answered with an error. Its message names prices, keys and parameters: for the log, never a user.
    Rejected(String),
    /// Stripe could not be reached in time or answered nonsense.
    Unavailable(String),
    /// Stripe's rate limit (429): a passing condition, retried shortly.
    Busy(String),
}

#[derive(Deserialize)]
pub struct CreatedSession {
    pub id: String,
    pub url: String,
}

/// Every Stripe API call carries the secret key and the pinned version (without it, Stripe would answer in the
/// account's default version, whatever that is).
fn api_call(config: &Config, method: Method, path: &str, request_id: &RequestId) -> Outbound {
    Outbound::new(method, config.stripe_api_base.join(path), CALL_TIMEOUT_MS, request_id)
        .bearer(config.stripe_secret_key.expose())
        .header("stripe-version", API_VERSION)
}

async fn post_form(
    config: &Config,
    path: &str,
    form: &[(&str, String)],
    idempotency_key: Option<&str>,
    request_id: &RequestId,
) -> Result<Value, StripeError> {
    let answer = api_call(config, Method::Post, path, request_id)
        .form(form.iter().map(|(key, value)| (*key, value.as_str())))
        .idempotency_key(idempotency_key)
        .answer()
        .await
        .map_err(|e| StripeError::Unavailable(format!("{path}: {e}")))?;
    let status = answer.status;
    let value: Value =
        serde_json::from_str(&answer.body).map_err(|e| StripeError::Unavailable(format!("{path}: {e}")))?;
    match status {
        200..=299 => Ok(value),
        429 => Err(StripeError::Busy(format!("{path} answered 429"))),
        400..=499 => Err(StripeError::Rejected(
            value.pointer("/error/message").and_then(Value::as_str).unwrap_or("Stripe refused the request.").to_owned(),
        )),
        _ => Err(StripeError::Unavailable(format!("{path} answered {status}"))),
    }
}

fn created(value: Value) -> Result<CreatedSession, StripeError> {
    serde_json::from_value(value).map_err(|e| StripeError::Unavailable(format!("session without id/url: {e}")))
}

pub async fn create_checkout_session(
    config: &Config,
    form: &[(&str, String)],
    idempotency_key: &str,
    request_id: &RequestId,
) -> Result<CreatedSession, StripeError> {
    created(post_form(config, "/v1/checkout/sessions", form, Some(idempotency_key), request_id).await?)
}

pub async fn create_portal_session(
    config: &Config,
    customer_id: &str,
    return_url: &str,
    request_id: &RequestId,
) -> Result<CreatedSession, StripeError> {
    let form = [("customer", customer_id.to_owned()), ("return_url", return_url.to_owned())];
    created(post_form(config, "/v1/billing_portal/sessions", &form, None, request_id).await?)
}

/// Cancels a subscription at once. One that Stripe no longer has, or has already cancelled, counts as done.
pub async fn cancel_subscription(
    config: &Config,
    subscription_id: &str,
    request_id: &RequestId,
) -> Result<(), StripeError> {
    let response = api_call(config, Method::Delete, &format!("/v1/subscriptions/{subscription_id}"), request_id)
        .send()
        .await
        .map_err(|e| StripeError::Unavailable(format!("cancel: {e}")))?;
    match response.status_code() {
        200..=299 | 404 => Ok(()),
        // A refusal that will not change by retrying (bad key, invalid request): a problem for an admin.
        status @ (400..=428 | 430..=499) => Err(StripeError::Rejected(format!("stripe_refused_{status}"))),
        status => Err(StripeError::Unavailable(format!("cancel answered {status}"))),
    }
}
