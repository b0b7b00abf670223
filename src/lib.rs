//! GPTImg Worker entry point: builds the request context, routes, and finishes every response the same way.

mod blobs;
mod clients;
mod config;
mod http;
mod jobs;
mod log;
mod platform;
mod privacy;
mod store;

use worker::{event, Context, Env, MessageBatch, MessageExt, Request, Response, ScheduleContext, ScheduledEvent};

use crate::http::RequestContext;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _worker_ctx: Context) -> worker::Result<Response> {
    let ctx = RequestContext::begin(&req, env);
    let method = req.method();
    let path = req.path();
    let result = http::routes::dispatch(req, &ctx).await;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            if let http::error::ApiError::Internal(cause) = &error {
                log::fault(ctx.request_id.as_str(), "internal_error", cause);
            }
            error.into_response()
        }
    };
    let response = http::finish::finish(response, &ctx)?;
    log::request(&method, &path, response.status_code(), &ctx);
    Ok(response)
}

/// Generation polls, delivered with backoff delays. A failed poll is retried by the queue; the cron sweep
/// settles anything the queue gives up on.
#[event(queue)]
async fn queue(batch: MessageBatch<jobs::PollMessage>, env: Env, _worker_ctx: Context) -> worker::Result<()> {
    let config = match config::load(&env) {
        Ok(config) => config,
        Err(problems) => {
            log::fault("-", "queue_misconfigured", &format!("{} problems", problems.len()));
            batch.retry_all();
            return Ok(());
        }
    };
    for message in batch.messages()? {
        match jobs::poll(&env, &config, message.body()).await {
            Ok(()) => message.ack(),
            Err(error) => {
                log::fault("-", "generation_poll_failed", &error.to_string());
                message.retry();
            }
        }
    }
    Ok(())
}

/// Every minute: fail and refund generations past their deadline, re-queue polls the queue lost, apply
/// retention and finish interrupted account deletions.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    match config::load(&env) {
        Ok(config) => {
            if let Err(error) = jobs::sweep(&env, &config).await {
                log::fault("-", "sweep_failed", &error.to_string());
            }
            if let Err(error) = privacy::retention_sweep(&env, &config).await {
                log::fault("-", "retention_failed", &error.to_string());
            }
        }
        Err(problems) => log::fault("-", "sweep_misconfigured", &format!("{} problems", problems.len())),
    }
}
