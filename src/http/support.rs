//! `/api/support`: send a message (signed in, or anonymously with an email address) and read your own with replies.

use gptimg_domain::ids::random_token;
use gptimg_domain::privacy::{support_sender_hash, validate_support, SupportRequest};
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::{json, Value};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::{maybe_user, signed_in_user};
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::store::support as store;

/// Replies are stored as a JSON array string; the API shows them as an array.
pub fn with_parsed_replies(mut message: Value) -> Value {
    let replies: Value =
        message["replies"].as_str().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or(json!([]));
    message["replies"] = replies;
    message
}

pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = maybe_user(&req, ctx).await?;
    let request: SupportRequest = read_json(&mut req, 16 * 1024, &["application/json"]).await?;
    let message = validate_support(&request, user.as_ref().map(|u| u.account.email.as_str()))?;
    let id = format!("sup_{}", random_token(&mut CryptoRandom));
    let account_id = user.as_ref().map(|u| u.account.id.as_str());
    // Cloudflare sets CF-Connecting-IP on every request and a client cannot override it; only its keyed hash is kept.
    let network_hash = match user {
        Some(_) => None,
        None => {
            let key = ctx.config()?.session_secret.expose().as_bytes();
            Some(support_sender_hash(key, req.headers().get("cf-connecting-ip")?.as_deref()))
        }
    };
    let sender = store::Sender { account_id, network_hash: network_hash.as_deref() };
    if !store::create(&ctx.db()?, &id, &sender, &message, platform::now()).await? {
        return Err(DomainError::new(
            ErrorKind::RateLimited,
            "support_rate_limited",
            "You have sent several messages recently; please wait before sending more.",
        )
        .with_retry_after(600)
        .into());
    }
    Ok(private_json(&json!({ "id": id, "status": "open", "email": message.email }))?.with_status(201))
}

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    let messages: Vec<Value> =
        store::for_account(&ctx.db()?, &user.account.id).await?.into_iter().map(with_parsed_replies).collect();
    Ok(private_json(&json!({ "messages": messages }))?)
}
