//! `POST /webhooks/apipod/{generation_id}/{token}`: APIPod's unsigned callback. The URL's token proves it is
//! the one we handed out; the body is never trusted: the task is re-read from the status endpoint and claimed
//! exactly as the poller would, before the answer (so an unreadable status is a 5xx APIPod delivers again). The
//! slow part, downloading the results and making their renditions, runs after the answer: APIPod only needs a
//! quick 2xx.

use gptimg_domain::apipod::callback::{self, MAX_CALLBACK_BYTES};
use gptimg_domain::generation::GenerationId;
use gptimg_domain::{DomainError, ErrorKind};
use serde::Serialize;
use serde_json::json;
use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;
use crate::usecases::generations::{self as usecase, CallbackOutcome};

#[derive(Serialize)]
struct Acknowledged {
    received: bool,
    outcome: CallbackOutcome,
}

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
    let heard =
        usecase::finish_on_callback(&ctx.db()?, &ctx.env, config, &id, &ctx.request_id).await?.ok_or_else(not_found)?;
    if let Some(claimed) = heard.finishing {
        ctx.after_response(claimed.finish_later(ctx.env.clone(), config.clone(), ctx.request_id.clone()));
    }
    let claimed_task_matches = claim.task_id.is_some() && claim.task_id == heard.task_id;
    ctx.note(json!({ "apipod_callback": id.as_str(), "claimed_status": claim.status,
        "claimed_task_matches": claimed_task_matches, "outcome": heard.outcome }));
    Ok(Response::from_json(&Acknowledged { received: true, outcome: heard.outcome })?)
}
