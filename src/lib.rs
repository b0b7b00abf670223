//! GPTImg Worker entry point: builds the request context, routes, and hands every response to the runtime the same way.

mod blobs;
mod body;
mod clients;
mod config;
mod http;
mod images_binding;
mod jobs;
mod log;
mod meter;
mod platform;
mod privacy;
mod store;
mod usecases;

use std::rc::Rc;

use gptimg_domain::ids::RequestId;
use gptimg_domain::Cause;
use serde_json::json;
use worker::{event, Context, Env, MessageBatch, MessageExt, Request, ScheduleContext, ScheduledEvent};

use crate::http::RequestContext;
use crate::meter::{Counts, Metered};

/// The most subrequests one poll can make: D1 reads, the claim and the settling batch, APIPod status, a re-queue
/// (24 leaves room to spare), and per stored image (results are capped at what was paid for):
/// - a download;
/// - storing it: one put, or for a result without Content-Length a multipart upload (create, up to 8 parts of
///   8 MiB for 64 MiB, complete) and an abort or a refused object's delete: at most 11;
/// - its renditions, made before the success is recorded and tried at most twice: each try an R2 read of the
///   original, two Images calls, two puts and a clean-up delete if it fails half-way (6). Their D1 columns go into
///   the settling batch, so there is no D1 write per image.
/// Worst case 24 + 4 x (1 + 11 + 12) = 120. Messages beyond what the budget allows are retried in a later batch
/// rather than started (`max_batch_size` in wrangler.toml is 10).
const POLL_WORST_SUBREQUESTS: u32 =
    24 + (1 + 11 + 2 * 6) * gptimg_domain::generation::IMAGES_PAID_PER_GENERATION as u32;

// workers-rs copies `request.cf` into every Request it wraps, and the runtime builds that object (from JSON) on its
// first read: a fixed cost per request for a property GPTImg never reads. An own `undefined` property shadows the
// runtime's getter for this one object; the runtime's own uses (a `fetch` of the request) do not go through it.
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function without_cf(request) {
  try { Object.defineProperty(request, "cf", { value: undefined }); } catch {}
  return request;
}
"#)]
extern "C" {
    fn without_cf(request: worker::web_sys::Request) -> worker::web_sys::Request;
}

#[event(fetch)]
async fn fetch(
    req: worker::web_sys::Request,
    env: Env,
    worker_ctx: Context,
) -> worker::Result<worker::web_sys::Response> {
    let req = Request::from(without_cf(req));
    meter::install(&env);
    let counts = Rc::<Counts>::default();
    let served = Metered::new(counts.clone(), serve(req, env, counts.clone())).await?;
    let Served { response, status, ctx, method, path } = served;
    let background = ctx.take_after_response();
    if background.is_empty() {
        log::request(&method, &path, status, ctx.log_facts());
    } else {
        // Same counts: work after the response is part of this invocation (and of its subrequest limit), and the
        // request's log line, if written, says what the whole invocation did.
        worker_ctx.wait_until(Metered::new(counts, async move {
            for work in background {
                work.await;
            }
            log::request(&method, &path, status, ctx.log_facts());
        }));
    }
    Ok(response)
}

/// A finished response and what its log line needs.
struct Served {
    response: worker::web_sys::Response,
    status: u16,
    ctx: RequestContext,
    method: worker::Method,
    path: String,
}

async fn serve(req: Request, env: Env, counts: Rc<Counts>) -> worker::Result<Served> {
    let ctx = RequestContext::begin(&req, env, counts);
    let method = req.method();
    let path = req.path();
    let result = http::routes::dispatch(req, &ctx).await;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            if let http::error::ApiError::Internal(cause) = &error {
                // The whole chain, outermost context first; the response only says "internal_error".
                log::fault(ctx.request_id.as_str(), "internal_error", &cause.to_string());
            }
            error.into_response()
        }
    };
    let status = response.status_code();
    let response = http::response_headers::to_runtime(response, &ctx)?;
    Ok(Served { response, status, ctx, method, path })
}

/// Generation polls, delivered with backoff delays. A failed poll is retried by the queue; the cron sweep
/// settles anything the queue gives up on.
#[event(queue)]
async fn queue(batch: MessageBatch<jobs::PollMessage>, env: Env, _worker_ctx: Context) -> worker::Result<()> {
    meter::install(&env);
    let counts = Rc::<Counts>::default();
    let started = platform::now();
    let result = Metered::new(counts.clone(), consume(batch, env)).await;
    let (done, deferred) = result.as_ref().map_or((0, 0), |r| *r);
    log::summary("queue_batch", started, &counts, json!({ "messages_done": done, "messages_deferred": deferred }));
    result.map(|_| ())
}

/// Returns how many messages were handled and how many were left for a later batch to stay within the budget.
async fn consume(batch: MessageBatch<jobs::PollMessage>, env: Env) -> worker::Result<(u32, u32)> {
    let config = match config::load(&env) {
        Ok(config) => config,
        Err(problems) => {
            log::fault("-", "queue_misconfigured", &format!("{} problems", problems.len()));
            batch.retry_all();
            return Ok((0, 0));
        }
    };
    let (mut done, mut deferred) = (0, 0);
    for message in batch.messages()? {
        if meter::remaining(0) < POLL_WORST_SUBREQUESTS {
            deferred += 1;
            message.retry();
            continue;
        }
        done += 1;
        match jobs::poll(&env, &config, message.body(), &RequestId::background()).await {
            Ok(()) => message.ack(),
            Err(error) => {
                log::fault("-", "generation_poll_failed", &Cause::of(&error).to_string());
                message.retry();
            }
        }
    }
    Ok((done, deferred))
}

/// Every minute: fail and refund generations past their deadline, re-queue polls the queue lost, apply
/// retention and finish interrupted account deletions.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    meter::install(&env);
    let counts = Rc::<Counts>::default();
    let started = platform::now();
    Metered::new(counts.clone(), sweep(env)).await;
    log::summary("cron_run", started, &counts, json!({}));
}

async fn sweep(env: Env) {
    match config::load(&env) {
        Ok(config) => {
            if let Err(error) = usecases::sweep::generations(&env, &config, platform::now()).await {
                log::fault("-", "sweep_failed", &Cause::of(&error).to_string());
            }
            if let Err(error) = privacy::retention_sweep(&env, &config, &RequestId::background()).await {
                log::fault("-", "retention_failed", &Cause::of(&error).to_string());
            }
            if let Err(error) = jobs::renditions::sweep(&env, platform::now()).await {
                log::fault("-", "renditions_sweep_failed", &Cause::of(&error).to_string());
            }
        }
        Err(problems) => log::fault("-", "sweep_misconfigured", &format!("{} problems", problems.len())),
    }
}
