//! The admin console API (`/api/admin/...`) and page (`/admin`): support inbox, user lookup, credit
//! adjustments, failed generations, Stripe events needing attention, stuck account deletions, the audit log, the
//! operator dashboard (handled in `dashboard`) and the landing page's featured images (in `featured`). Anyone not
//! in ADMIN_EMAILS gets a 404.

use gptimg_domain::admin::CreditAdjustment;
use gptimg_domain::admin::{open_problems_only, user_query};
use gptimg_domain::ids::{AuditId, SupportReplyId};
use gptimg_domain::routes::AdminEndpoint as A;
use gptimg_domain::support::SupportStatus;
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::{current_user, CurrentUser};
use super::support::Messages;
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::usecases::admin::{
    self as usecase, AuditRow, FailedGeneration, MessageRow, ProblemRow, StuckDeletion, UserRow,
};

fn hidden() -> ApiError {
    ApiError::not_found("route_not_found", "No such endpoint.")
}

/// The caller, if an admin; everyone else (signed out included) sees the path as nonexistent.
pub(super) async fn admin(req: &Request, ctx: &RequestContext) -> Result<CurrentUser, ApiError> {
    let user = current_user(req, ctx).await.map_err(|_| hidden())?;
    if ctx.config().is_ok_and(|config| config.is_admin_address(&user.account.email)) {
        Ok(user)
    } else {
        Err(hidden())
    }
}

/// `GET /admin`: the console page, only for admins.
pub async fn page(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    admin(&req, ctx).await?;
    let url = req.url()?.join("/admin-console").map_err(ApiError::internal)?;
    Ok(super::response_headers::with_mutable_headers(ctx.env.assets("ASSETS")?.fetch(url.to_string(), None).await?)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reply {
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    status: SupportStatus,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dismissal {
    reason: String,
}

/// An inbox message: the user's view of it plus who sent it (`null` for an anonymous message).
#[derive(Serialize)]
struct InboxMessage {
    #[serde(flatten)]
    message: MessageRow,
    account_id: Option<String>,
}

/// A problem row for the console, with what to do about its reason.
#[derive(Serialize)]
struct ProblemView {
    #[serde(flatten)]
    row: ProblemRow,
    advice: Option<&'static str>,
}

#[derive(Serialize)]
struct ReplySent {
    id: SupportReplyId,
    status: &'static str,
}

#[derive(Serialize)]
struct StatusSet<'a> {
    id: &'a str,
    status: SupportStatus,
}

#[derive(Serialize)]
struct Users {
    users: Vec<UserRow>,
}

#[derive(Serialize)]
struct CreditsAdjusted<'a> {
    account_id: &'a str,
    credits: i64,
    audit_id: AuditId,
}

#[derive(Serialize)]
struct FailedGenerations {
    generations: Vec<FailedGeneration>,
}

#[derive(Serialize)]
struct Problems {
    problems: Vec<ProblemView>,
}

#[derive(Serialize)]
struct ProblemDismissed<'a> {
    event_id: &'a str,
    resolution: &'static str,
    audit_id: AuditId,
}

#[derive(Serialize)]
struct StuckDeletions {
    deletions: Vec<StuckDeletion>,
}

#[derive(Serialize)]
struct RetryScheduled<'a> {
    account_id: &'a str,
    retry: &'static str,
    audit_id: AuditId,
}

#[derive(Serialize)]
struct AuditLog {
    entries: Vec<AuditRow>,
}

async fn support_inbox(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let status = SupportStatus::inbox_filter(super::query_param(req, "status").as_deref())?;
    let messages = usecase::support_inbox(&ctx.db()?, status)
        .await?
        .into_iter()
        .map(|mut message| InboxMessage { account_id: message.account_id.take(), message })
        .collect();
    Ok(private_json(&Messages { messages })?)
}

async fn support_reply(
    mut req: Request,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
) -> Result<Response, ApiError> {
    let reply: Reply = read_json(&mut req, 16 * 1024, &["application/json"]).await?;
    let db = ctx.db()?;
    let reply_id =
        usecase::reply_to_message(&db, &user.account.id, id, &reply.body, platform::now(), &mut CryptoRandom).await?;
    Ok(private_json(&ReplySent { id: reply_id, status: "answered" })?)
}

async fn support_status(
    mut req: Request,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
) -> Result<Response, ApiError> {
    let change: StatusChange = read_json(&mut req, 1024, &["application/json"]).await?;
    let db = ctx.db()?;
    usecase::set_message_status(&db, &user.account.id, id, change.status, platform::now(), &mut CryptoRandom).await?;
    Ok(private_json(&StatusSet { id, status: change.status })?)
}

async fn find_users(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let raw = super::query_param(req, "q");
    let query = user_query(raw.as_deref())?;
    Ok(private_json(&Users { users: usecase::find_users(&ctx.db()?, query).await? })?)
}

async fn adjust_credits(
    mut req: Request,
    ctx: &RequestContext,
    user: &CurrentUser,
    id: &str,
) -> Result<Response, ApiError> {
    let request: CreditAdjustment = read_json(&mut req, 2048, &["application/json"]).await?;
    let db = ctx.db()?;
    let (credits, audit_id) =
        usecase::adjust_credits(&db, &user.account.id, id, &request, platform::now(), &mut CryptoRandom).await?;
    Ok(private_json(&CreditsAdjusted { account_id: id, credits, audit_id })?)
}

async fn failed_generations(ctx: &RequestContext) -> Result<Response, ApiError> {
    Ok(private_json(&FailedGenerations { generations: usecase::failed_generations(&ctx.db()?).await? })?)
}

async fn billing_problems(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let open_only = open_problems_only(super::query_param(req, "status").as_deref())?;
    let rows = usecase::billing_problems(&ctx.db()?, open_only).await?;
    let problems = rows.into_iter().map(|row| ProblemView { advice: row.advice(), row }).collect();
    Ok(private_json(&Problems { problems })?)
}

async fn dismiss_problem(
    mut req: Request,
    ctx: &RequestContext,
    user: &CurrentUser,
    event_id: &str,
) -> Result<Response, ApiError> {
    let request: Dismissal = read_json(&mut req, 2048, &["application/json"]).await?;
    let db = ctx.db()?;
    let audit_id =
        usecase::dismiss_problem(&db, &user.account.id, event_id, &request.reason, platform::now(), &mut CryptoRandom)
            .await?;
    Ok(private_json(&ProblemDismissed { event_id, resolution: "dismissed", audit_id })?)
}

async fn stuck_deletions(ctx: &RequestContext) -> Result<Response, ApiError> {
    Ok(private_json(&StuckDeletions { deletions: usecase::stuck_deletions(&ctx.db()?).await? })?)
}

async fn retry_deletion(ctx: &RequestContext, user: &CurrentUser, id: &str) -> Result<Response, ApiError> {
    let audit_id =
        usecase::retry_deletion(&ctx.db()?, &user.account.id, id, platform::now(), &mut CryptoRandom).await?;
    Ok(private_json(&RetryScheduled { account_id: id, retry: "next_cron_run", audit_id })?)
}

async fn audit_log(ctx: &RequestContext) -> Result<Response, ApiError> {
    Ok(private_json(&AuditLog { entries: usecase::audit_log(&ctx.db()?).await? })?)
}

/// Runs an admin endpoint the route table matched, for `user`, already known to be an admin.
pub async fn dispatch(
    req: Request,
    ctx: &RequestContext,
    user: CurrentUser,
    endpoint: A,
    params: &[&str],
) -> Result<Response, ApiError> {
    match (endpoint, params) {
        (A::SupportInbox, []) => support_inbox(&req, ctx).await,
        (A::SupportReply, [id]) => support_reply(req, ctx, &user, id).await,
        (A::SupportStatus, [id]) => support_status(req, ctx, &user, id).await,
        (A::UserSearch, []) => find_users(&req, ctx).await,
        (A::CreditAdjustment, [id]) => adjust_credits(req, ctx, &user, id).await,
        (A::FailedGenerations, []) => failed_generations(ctx).await,
        (A::BillingProblems, []) => billing_problems(&req, ctx).await,
        (A::DismissBillingProblem, [event_id]) => dismiss_problem(req, ctx, &user, event_id).await,
        (A::StuckDeletions, []) => stuck_deletions(ctx).await,
        (A::RetryDeletion, [id]) => retry_deletion(ctx, &user, id).await,
        (A::AuditLog, []) => audit_log(ctx).await,
        (A::Dashboard, []) => super::dashboard::json(&req, ctx).await,
        (A::DashboardCsv, [series]) => super::dashboard::csv(&req, ctx, series).await,
        (A::FeaturedList, []) => super::featured::list(ctx).await,
        (A::Feature, []) => super::featured::feature(req, ctx, &user).await,
        (A::Unfeature, [id]) => super::featured::unfeature(ctx, &user, id).await,
        _ => Err(hidden()),
    }
}
