//! `/api/keys`: the signed-in user's personal API keys — list, create (the secret shown once), revoke.

use gptimg_domain::account::api_key::{ApiKeyId, MAX_KEYS_PER_ACCOUNT};
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::session::current_user;
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::usecases::api_keys::{self, KeyRow};

#[derive(Serialize)]
struct Keys {
    keys: Vec<KeyRow>,
    max_keys: i64,
}

#[derive(Deserialize)]
struct CreateKey {
    #[serde(default)]
    name: String,
}

#[derive(Serialize)]
struct Created<'a> {
    id: &'a ApiKeyId,
    name: &'a str,
    prefix: &'a str,
    created_at: i64,
    last_used_at: Option<i64>,
    /// The secret, in this response only.
    key: &'a str,
}

pub async fn list(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    let keys = api_keys::list(&ctx.db()?, &user.account).await?;
    Ok(private_json(&Keys { keys, max_keys: MAX_KEYS_PER_ACCOUNT })?)
}

pub async fn create(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let user = current_user(&req, ctx).await?;
    let request: CreateKey = read_json(&mut req, 4 * 1024, &["application/json"]).await?;
    let created =
        api_keys::create(&ctx.db()?, &user.account, &request.name, platform::now(), &mut CryptoRandom).await?;
    let row = &created.row;
    let view = Created {
        id: &row.id,
        name: &row.name,
        prefix: &row.prefix,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        key: created.secret.expose(),
    };
    Ok(private_json(&view)?.with_status(201))
}

pub async fn revoke(req: &Request, ctx: &RequestContext, id: &str) -> Result<Response, ApiError> {
    let user = current_user(req, ctx).await?;
    api_keys::revoke(&ctx.db()?, &user.account, id, platform::now()).await?;
    Ok(Response::empty()?.with_status(204))
}
