//! Paying: starting a Stripe Checkout for a plan, and opening the Billing Portal. Nothing is recorded here; the
//! webhook records what Stripe says happened.

use gptimg_domain::billing::checkout::{checkout_form, checkout_idempotency_key, may_buy, Buyer, CheckoutReturn};
use gptimg_domain::ids::RequestId;
use gptimg_domain::time::UnixMillis;
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::json;

use super::error::CoreError;
use crate::clients::stripe::{self, CreatedSession, StripeError};
use crate::config::Config;
use crate::log;
use crate::store::accounts::Account;

/// How long a user is asked to wait when Stripe's rate limit answered (it clears within seconds).
const STRIPE_BUSY_RETRY_SECS: u32 = 5;

/// Stripe's own words (which can name prices, parameters and key prefixes) go to the log under the request id;
/// the user gets our message and that id to quote to support.
fn stripe_failure(request_id: &RequestId, error: StripeError) -> CoreError {
    let request_id = request_id.as_str();
    let (kind, code, message, cause) = match error {
        StripeError::Rejected(cause) => (
            ErrorKind::Upstream,
            "stripe_rejected",
            format!("We could not start the payment. Nothing was charged; please contact support quoting request {request_id}."),
            cause,
        ),
        StripeError::Unavailable(cause) => (
            ErrorKind::Upstream,
            "stripe_unavailable",
            format!("Stripe is not responding. Nothing was charged; please try again (request {request_id})."),
            cause,
        ),
        StripeError::Busy(cause) => (
            ErrorKind::RateLimited,
            "stripe_busy",
            "Stripe is busy right now. Nothing was charged; please try again in a few seconds.".to_owned(),
            cause,
        ),
    };
    log::event(request_id, "stripe_request_failed", json!({ "code": code, "cause": cause }));
    let error = DomainError::new(kind, code, message).with_details(json!({ "request_id": request_id }));
    match kind {
        ErrorKind::RateLimited => error.with_retry_after(STRIPE_BUSY_RETRY_SECS),
        _ => error,
    }
    .into()
}

/// A Checkout Session for `plan_id` that returns to `back`, unless the plan is unknown or the account may not buy it.
pub async fn start_checkout(
    config: &Config,
    account: &Account,
    plan_id: &str,
    back: CheckoutReturn,
    now: UnixMillis,
    request_id: &RequestId,
) -> Result<CreatedSession, CoreError> {
    let plan =
        config.plans.by_id(plan_id).ok_or_else(|| DomainError::invalid("unknown_plan", "There is no such plan."))?;
    let buyer = Buyer {
        account_id: &account.id,
        email: &account.email,
        stripe_customer_id: account.stripe_customer_id.as_deref(),
        has_live_subscription: account.has_live_subscription(),
    };
    may_buy(plan, &buyer)?;
    let form = checkout_form(plan, &buyer, &config.app_url, back);
    let key = checkout_idempotency_key(&form, account.credits, now);
    stripe::create_checkout_session(config, &form, &key, request_id).await.map_err(|e| stripe_failure(request_id, e))
}

/// A Billing Portal session's URL, for an account Stripe knows as a customer.
pub async fn open_portal(config: &Config, account: &Account, request_id: &RequestId) -> Result<String, CoreError> {
    let customer = account.stripe_customer_id.as_deref().ok_or_else(|| {
        DomainError::new(
            ErrorKind::Conflict,
            "no_billing_account",
            "You have no billing history yet; buy a pack or subscribe first.",
        )
    })?;
    let session = stripe::create_portal_session(config, customer, &config.app_url.join("/account"), request_id)
        .await
        .map_err(|e| stripe_failure(request_id, e))?;
    Ok(session.url)
}
