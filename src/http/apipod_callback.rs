//! `POST /webhooks/apipod/{generation_id}/{token}`: APIPod's unsigned callback. The URL's token proves it is
//! the one we handed out; the body is never trusted: the task is re-read from the status endpoint and finished
//! exactly as the poller would.

use gptimg_domain::apipod::callback::{self, MAX_CALLBACK_BYTES};
use gptimg_domain::generation::GenerationId;
use gptimg_domain::{DomainError, ErrorKind};
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;
use crate::jobs::{self, Checked, Trigger};
use crate::store::generations as store;

pub async fn receive(mut req: Request, ctx: &RequestContext, raw_id: &str, token: &str) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let not_found = || ApiError::not_found("callback_not_found", "There is no such callback.");
    let id = GenerationId::parse(raw_id).ok_or_else(not_found)?;
    if !callback::verify(config.session_secret.expose().as_bytes(), id.as_str(), token) {
        return Err(not_found());
    }
    let too_large =
        || ApiError::from(DomainError::new(ErrorKind::PayloadTooLarge, "body_too_large", "The callback is too large."));
    let body = super::json_body::read_capped(&mut req, MAX_CALLBACK_BYTES).await?.ok_or_else(too_large)?;
    let claim = callback::claim(&body);
    let db = ctx.db()?;
    let row = store::find_for_poll(&db, id.as_str()).await?.ok_or_else(not_found)?;
    let outcome = if row.status != "running" {
        "not_running"
    } else {
        match jobs::check(&db, &ctx.env, config, &row, Trigger::Callback).await? {
            Checked::Finished => "finished",
            Checked::AlreadyHandled => "already_handled",
            Checked::StillRunning { readable: true } => "still_running",
            // Not acknowledged, so APIPod delivers it again; polling carries on meanwhile.
            Checked::StillRunning { readable: false } => {
                return Err(DomainError::new(
                    ErrorKind::Upstream,
                    "apipod_status_unavailable",
                    "The task's status could not be read; deliver the callback again.",
                )
                .into())
            }
        }
    };
    let claimed_task_matches = claim.task_id.is_some() && claim.task_id == row.apipod_task_id;
    ctx.note(json!({ "apipod_callback": id.as_str(), "claimed_status": claim.status,
        "claimed_task_matches": claimed_task_matches, "outcome": outcome }));
    Ok(Response::from_json(&json!({ "received": true, "outcome": outcome }))?)
}
