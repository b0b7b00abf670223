//! `GET /healthz`: checks configuration, D1 and R2 for real and names what is wrong.

use std::cell::RefCell;

use futures_util::future::join;
use gptimg_domain::time::UnixMillis;
use serde_json::{json, Value};
use worker::Response;

use super::error::ApiError;
use super::RequestContext;
use crate::{log, platform};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long an isolate reuses its last D1 and R2 probe. The endpoint is public, and each probe is a billed D1
/// read and R2 operation; uptime monitors poll every 30 s or more, so a few seconds of reuse loses nothing.
const PROBE_REUSE_MS: i64 = 5_000;

#[derive(Clone)]
struct Probe {
    at: UnixMillis,
    d1: Value,
    r2: Value,
}

thread_local! {
    static LAST_PROBE: RefCell<Option<Probe>> = const { RefCell::new(None) };
}

pub async fn get(ctx: &RequestContext) -> Result<Response, ApiError> {
    let now = platform::now();
    let fresh = LAST_PROBE.with(|last| last.borrow().clone()).filter(|p| now.millis_since(p.at) < PROBE_REUSE_MS);
    let probe = match fresh {
        Some(probe) => probe,
        None => {
            let (d1, r2) = join(check_d1(ctx), check_r2(ctx)).await;
            let probe = Probe { at: now, d1, r2 };
            LAST_PROBE.with(|last| *last.borrow_mut() = Some(probe.clone()));
            probe
        }
    };
    let config = match ctx.config_result() {
        Ok(_) => json!("ok"),
        Err(problems) => json!({ "problems": problems.iter().map(ToString::to_string).collect::<Vec<_>>() }),
    };
    let ok = config == "ok" && probe.d1 == "ok" && probe.r2 == "ok";
    let body = json!({
        "ok": ok,
        "version": VERSION,
        "checks": { "config": config, "d1": probe.d1, "r2": probe.r2 },
        "checked_at": probe.at.0,
    });
    Ok(Response::from_json(&body)?.with_status(if ok { 200 } else { 503 }))
}

async fn check_d1(ctx: &RequestContext) -> Value {
    let result = async {
        let db = ctx.db()?;
        db.first::<Value>(db.prepare("SELECT 1 AS ok")).await
    }
    .await;
    outcome(ctx, "d1", result.map(|_| ()))
}

async fn check_r2(ctx: &RequestContext) -> Value {
    let result = async { ctx.env.bucket("IMAGES")?.head("healthz/probe").await }.await;
    outcome(ctx, "r2", result.map(|_| ()))
}

fn outcome(ctx: &RequestContext, name: &str, result: worker::Result<()>) -> Value {
    match result {
        Ok(()) => json!("ok"),
        Err(error) => {
            log::fault(ctx.request_id.as_str(), &format!("healthz_{name}_failed"), &error.to_string());
            json!("unavailable")
        }
    }
}
