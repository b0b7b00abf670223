//! GPTImg Worker entry point: builds the request context, routes, and finishes every response the same way.

mod clients;
mod config;
mod http;
mod log;
mod platform;
mod store;

use worker::{event, Context, Env, Request, Response};

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
