//! `GET /healthz`: checks configuration, D1 and R2 for real and names what is wrong.

use futures_util::future::join;
use serde_json::{json, Value};
use worker::Response;

use super::error::ApiError;
use super::RequestContext;
use crate::log;

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn get(ctx: &RequestContext) -> Result<Response, ApiError> {
    let (d1, r2) = join(check_d1(ctx), check_r2(ctx)).await;
    let config = match ctx.config_result() {
        Ok(_) => json!("ok"),
        Err(problems) => json!({ "problems": problems.iter().map(ToString::to_string).collect::<Vec<_>>() }),
    };
    let ok = config == "ok" && d1 == "ok" && r2 == "ok";
    let body = json!({ "ok": ok, "version": VERSION, "checks": { "config": config, "d1": d1, "r2": r2 } });
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
