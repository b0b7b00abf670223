//! `GET /healthz`: checks configuration, D1 and R2 for real and names what is wrong.

use std::cell::RefCell;

use futures_util::future::join;
use gptimg_domain::time::UnixMillis;
use serde::Serialize;
use worker::Response;

use super::error::ApiError;
use super::RequestContext;
use crate::{log, platform};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long an isolate reuses its last D1 and R2 probe. The endpoint is public, and each probe is a billed D1
/// read and R2 operation; uptime monitors poll every 30 s or more, so a few seconds of reuse loses nothing.
const PROBE_REUSE_MS: i64 = 5_000;

/// One dependency's state: `"ok"` or `"unavailable"` (the cause goes to the log).
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Check {
    Ok,
    Unavailable,
}

/// The configuration's state: `"ok"`, or the names of the broken settings (never their values).
#[derive(Serialize)]
#[serde(untagged)]
enum ConfigCheck {
    Ok(Check),
    Problems { problems: Vec<String> },
}

#[derive(Serialize)]
struct Checks {
    config: ConfigCheck,
    d1: Check,
    r2: Check,
}

#[derive(Serialize)]
struct Health {
    ok: bool,
    version: &'static str,
    checks: Checks,
    checked_at: i64,
}

#[derive(Clone)]
struct Probe {
    at: UnixMillis,
    d1: Check,
    r2: Check,
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
        Ok(_) => ConfigCheck::Ok(Check::Ok),
        Err(problems) => ConfigCheck::Problems { problems: problems.iter().map(ToString::to_string).collect() },
    };
    let ok = matches!(config, ConfigCheck::Ok(_)) && probe.d1 == Check::Ok && probe.r2 == Check::Ok;
    let body =
        Health { ok, version: VERSION, checks: Checks { config, d1: probe.d1, r2: probe.r2 }, checked_at: probe.at.0 };
    Ok(Response::from_json(&body)?.with_status(if ok { 200 } else { 503 }))
}

async fn check_d1(ctx: &RequestContext) -> Check {
    let result = async {
        let db = ctx.db()?;
        db.first::<serde_json::Value>(db.prepare("SELECT 1 AS ok")).await
    }
    .await;
    outcome(ctx, "d1", result.map(|_| ()))
}

async fn check_r2(ctx: &RequestContext) -> Check {
    let result = async { ctx.env.bucket("IMAGES")?.head("healthz/probe").await }.await;
    outcome(ctx, "r2", result.map(|_| ()))
}

fn outcome(ctx: &RequestContext, name: &str, result: worker::Result<()>) -> Check {
    match result {
        Ok(()) => Check::Ok,
        Err(error) => {
            log::fault(ctx.request_id.as_str(), &format!("healthz_{name}_failed"), &error.to_string());
            Check::Unavailable
        }
    }
}
