//! The admin console API (`/api/admin/...`) and page (`/admin`): support inbox, user lookup, credit
//! adjustments, failed generations, Stripe events needing attention, stuck account deletions, and the audit log. Anyone not in
//! ADMIN_EMAILS gets a 404.

use gptimg_domain::billing::problem::{validate_dismissal, ProblemReason};
use gptimg_domain::ids::random_token;
use gptimg_domain::ledger::{LedgerEntryId, LedgerKind};
use gptimg_domain::privacy::{validate_adjustment, validate_reply, CreditAdjustment, SupportStatus};
use gptimg_domain::routes::AdminEndpoint as A;
use gptimg_domain::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::{current_user, CurrentUser};
use super::support::with_parsed_replies;
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::store::billing_problems;
use crate::store::privacy as privacy_store;
use crate::store::support::{self as store, AuditEntry};

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
    Ok(super::finish::with_mutable_headers(ctx.env.assets("ASSETS")?.fetch(url.to_string(), None).await?)?)
}

fn audit_id() -> String {
    format!("aud_{}", random_token(&mut CryptoRandom))
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

/// A problem row for the console: its facts as JSON and what to do about its reason.
fn problem_view(mut row: Value) -> Value {
    let facts = row["facts"].as_str().and_then(|f| serde_json::from_str::<Value>(f).ok());
    row["facts"] = facts.unwrap_or(Value::Null);
    let advice = row["reason"].as_str().and_then(ProblemReason::parse).map(ProblemReason::advice);
    row["advice"] = json!(advice);
    row
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dismissal {
    reason: String,
}

/// Runs an admin endpoint the route table matched, for `user`, already known to be an admin.
pub async fn dispatch(
    mut req: Request,
    ctx: &RequestContext,
    user: CurrentUser,
    endpoint: A,
    params: &[&str],
) -> Result<Response, ApiError> {
    let db = ctx.db()?;
    let now = platform::now();
    let param = |name: &str| super::query_param(&req, name);
    let not_found = || ApiError::not_found("not_found", "There is no such record.");
    let body: Value = match (endpoint, params) {
        (A::SupportInbox, []) => {
            let status = match param("status") {
                None => None,
                Some(raw) => Some(
                    serde_json::from_value(json!(raw))
                        .map_err(|_| DomainError::bad_request("invalid_status", "Unknown status."))?,
                ),
            };
            let messages: Vec<Value> = store::inbox(&db, status).await?.into_iter().map(with_parsed_replies).collect();
            json!({ "messages": messages })
        }
        (A::SupportReply, [id]) => {
            let reply: Reply = read_json(&mut req, 16 * 1024, &["application/json"]).await?;
            let text = validate_reply(&reply.body)?;
            let audit = audit_id();
            let details = json!({ "reply_length": text.chars().count() });
            let entry = AuditEntry {
                id: &audit,
                admin_account_id: &user.account.id,
                action: "support_reply",
                target_id: id,
                details: &details,
            };
            let reply_id = format!("rep_{}", random_token(&mut CryptoRandom));
            if !store::reply(&db, &reply_id, &text, &entry, now).await? {
                return Err(not_found());
            }
            json!({ "id": reply_id, "status": "answered" })
        }
        (A::SupportStatus, [id]) => {
            let change: StatusChange = read_json(&mut req, 1024, &["application/json"]).await?;
            let audit = audit_id();
            let details = json!({ "status": change.status });
            let entry = AuditEntry {
                id: &audit,
                admin_account_id: &user.account.id,
                action: "support_status",
                target_id: id,
                details: &details,
            };
            if !store::set_status(&db, change.status, &entry, now).await? {
                return Err(not_found());
            }
            json!({ "id": id, "status": change.status })
        }
        (A::UserSearch, []) => {
            let query = param("q")
                .filter(|q| q.trim().len() >= 2)
                .ok_or_else(|| DomainError::bad_request("query_too_short", "Search with at least 2 characters."))?;
            json!({ "users": store::find_users(&db, query.trim()).await? })
        }
        (A::CreditAdjustment, [id]) => {
            let request: CreditAdjustment = read_json(&mut req, 2048, &["application/json"]).await?;
            let (amount, reason) = validate_adjustment(&request)?;
            let audit = audit_id();
            let details = json!({ "amount": amount, "reason": reason });
            let entry = AuditEntry {
                id: &audit,
                admin_account_id: &user.account.id,
                action: "credit_adjustment",
                target_id: id,
                details: &details,
            };
            let ledger = LedgerEntryId::generate(&mut CryptoRandom);
            let description = LedgerKind::AdminAdjustment.description(&reason);
            let balance = store::adjust_credits(&db, ledger.as_str(), amount, &description, &entry, now)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "adjustment_refused",
                        "No such account, or the change would take the balance below zero.",
                    )
                })?;
            json!({ "account_id": id, "credits": balance, "audit_id": audit })
        }
        (A::FailedGenerations, []) => json!({ "generations": store::failed_generations(&db).await? }),
        (A::BillingProblems, []) => {
            let open_only = match param("status").as_deref() {
                None | Some("open") => true,
                Some("all") => false,
                Some(_) => {
                    return Err(DomainError::bad_request("invalid_status", "Use status=open or status=all.").into())
                }
            };
            let problems =
                billing_problems::list(&db, open_only).await?.into_iter().map(problem_view).collect::<Vec<_>>();
            json!({ "problems": problems })
        }
        (A::DismissBillingProblem, [event_id]) => {
            let request: Dismissal = read_json(&mut req, 2048, &["application/json"]).await?;
            let reason = validate_dismissal(&request.reason)?;
            let audit = audit_id();
            let details = json!({ "reason": reason });
            let entry = AuditEntry {
                id: &audit,
                admin_account_id: &user.account.id,
                action: "billing_problem_dismissed",
                target_id: event_id,
                details: &details,
            };
            if !billing_problems::dismiss(&db, &entry, now).await? {
                return Err(ApiError::not_found("not_found", "There is no such open billing problem."));
            }
            json!({ "event_id": event_id, "resolution": "dismissed", "audit_id": audit })
        }
        (A::StuckDeletions, []) => {
            let rows = privacy_store::stuck_deletions(&db).await?;
            let deletions: Vec<Value> = rows
                .into_iter()
                .map(|mut row| {
                    let live = row["live_subscriptions"].as_str().and_then(|raw| serde_json::from_str(raw).ok());
                    row["live_subscriptions"] = live.unwrap_or(json!([]));
                    row
                })
                .collect();
            json!({ "deletions": deletions })
        }
        (A::RetryDeletion, [id]) => {
            let audit = audit_id();
            if !privacy_store::retry_deletion(&db, id, &audit, &user.account.id, now).await? {
                return Err(ApiError::not_found("not_found", "There is no unfinished deletion for this account."));
            }
            json!({ "account_id": id, "retry": "next_cron_run", "audit_id": audit })
        }
        (A::AuditLog, []) => json!({ "entries": store::audit_log(&db).await? }),
        _ => return Err(hidden()),
    };
    Ok(private_json(&body)?)
}
