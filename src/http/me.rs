//! `/api/me`: the signed-in user's profile, name correction, and their Google avatar served same-origin.

use gptimg_domain::account::{profile_flags, AccountId};
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::{maybe_user, signed_in_user};
use super::{private_json, RequestContext};
use crate::config::Config;
use crate::platform;
use crate::usecases::profile as usecase;
use crate::usecases::session::{Account, SubscriptionSummary};

const MAX_PROFILE_BODY: usize = 4 * 1024;

/// The signed-in user as every page sees them.
#[derive(Serialize)]
struct Profile<'a> {
    id: &'a AccountId,
    email: &'a str,
    name: &'a str,
    /// Served same-origin by `avatar`.
    avatar_url: Option<&'static str>,
    credits: i64,
    created_at: i64,
    is_admin: bool,
    has_billing_account: bool,
    consent_required: bool,
    terms_version: &'static str,
    subscription: Option<SubscriptionView<'a>>,
}

/// The subscription summary for the profile: plan, status and renewal (in milliseconds, as everywhere in the API),
/// and whether it is the live one, so the page needs no list of statuses of its own.
#[derive(Serialize)]
struct SubscriptionView<'a> {
    plan_id: Option<&'a str>,
    plan_name: Option<&'a str>,
    status: &'a str,
    is_live: bool,
    current_period_end: Option<i64>,
    cancel_at_period_end: bool,
}

#[derive(Serialize)]
struct SessionResponse<'a> {
    signed_in: bool,
    account: Option<Profile<'a>>,
}

fn subscription<'a>(summary: &'a SubscriptionSummary, config: &'a Config) -> SubscriptionView<'a> {
    let plan_name = summary.plan_id.as_deref().and_then(|id| config.plans.by_id(id)).map(|plan| plan.name.as_str());
    SubscriptionView {
        plan_id: summary.plan_id.as_deref(),
        plan_name,
        status: &summary.status,
        is_live: summary.status().is_live(),
        current_period_end: summary.current_period_end.map(|secs| secs * 1000),
        cancel_at_period_end: summary.cancel_at_period_end,
    }
}

fn profile<'a>(account: &'a Account, config: &'a Config) -> Profile<'a> {
    let flags = profile_flags(
        account.picture_url.is_some(),
        account.stripe_customer_id.is_some(),
        account.terms_version.as_deref(),
    );
    Profile {
        id: &account.id,
        email: &account.email,
        name: &account.name,
        avatar_url: flags.avatar_url,
        credits: account.credits,
        created_at: account.created_at,
        is_admin: config.is_admin_address(&account.email),
        has_billing_account: flags.has_billing_account,
        consent_required: flags.consent_required,
        terms_version: gptimg_domain::account::consent::TERMS_VERSION,
        subscription: account.subscription.as_ref().map(|summary| subscription(summary, config)),
    }
}

/// `GET /api/me`: one D1 query (the session lookup joins the account).
pub async fn get(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    Ok(private_json(&profile(&user.account, ctx.config()?))?)
}

/// `GET /api/session`: whether the caller is signed in, and their profile if so. Always 200, so pages
/// can ask without a 401 in the browser console.
pub async fn session(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let body = match maybe_user(req, ctx).await? {
        Some(user) => {
            private_json(&SessionResponse { signed_in: true, account: Some(profile(&user.account, ctx.config()?)) })
        }
        None => private_json(&SessionResponse { signed_in: false, account: None }),
    };
    Ok(body?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfilePatch {
    name: String,
}

/// `PATCH /api/me {"name"}`: corrects the display name; it then stays as chosen across sign-ins.
pub async fn patch(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(&req, ctx).await?;
    let patch: ProfilePatch = read_json(&mut req, MAX_PROFILE_BODY, &["application/json"]).await?;
    let name = usecase::rename(&ctx.db()?, &user.account.id, &patch.name, platform::now()).await?;
    let account = Account { name: name.as_str().to_owned(), ..user.account };
    Ok(private_json(&profile(&account, ctx.config()?))?)
}

/// `GET /api/me/avatar`: the profile image, proxied so the page's CSP needs no third-party origin.
pub async fn avatar(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    let avatar = usecase::avatar(ctx.config()?, &user.account, &ctx.request_id).await?;
    let mut response = Response::from_bytes(avatar.bytes)?;
    response.headers_mut().set("content-type", &avatar.content_type)?;
    response.headers_mut().set("cache-control", "private, max-age=3600")?;
    Ok(response)
}
