//! `/api/support`: send a message (signed in, or anonymously with an email address) and read your own with replies.

use gptimg_domain::email::EmailAddress;
use gptimg_domain::ids::SupportMessageId;
use gptimg_domain::support::SupportRequest;
use serde::Serialize;
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::{maybe_user, signed_in_user};
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::usecases::support;

#[derive(Serialize)]
struct Created {
    id: SupportMessageId,
    status: &'static str,
    email: EmailAddress,
}

/// A list of support messages, each with its replies.
#[derive(Serialize)]
pub struct Messages<T: Serialize> {
    pub messages: Vec<T>,
}

pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = maybe_user(&req, ctx).await?;
    let request: SupportRequest = read_json(&mut req, 16 * 1024, &["application/json"]).await?;
    let client_ip = req.headers().get("cf-connecting-ip")?;
    let account = user.as_ref().map(|u| &u.account);
    let sent = support::send_message(
        &ctx.db()?,
        ctx.config()?,
        account,
        &request,
        client_ip.as_deref(),
        platform::now(),
        &mut CryptoRandom,
    )
    .await?;
    Ok(private_json(&Created { id: sent.id, status: "open", email: sent.email })?.with_status(201))
}

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = signed_in_user(req, ctx).await?;
    let messages = support::messages_of(&ctx.db()?, &user.account.id).await?;
    Ok(private_json(&Messages { messages })?)
}
