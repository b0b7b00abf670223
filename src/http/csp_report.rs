//! `POST /api/csp-report`: browsers report Content-Security-Policy violations here; we log what was blocked.

use serde_json::{json, Value};
use worker::{Request, Response};

use super::error::ApiError;
use super::json_body::read_json;
use super::RequestContext;
use crate::log;

const MAX_REPORT_BYTES: usize = 16 * 1024;
const REPORT_TYPES: &[&str] = &["application/csp-report", "application/reports+json", "application/json"];

pub async fn post(mut req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let report: Value = read_json(&mut req, MAX_REPORT_BYTES, REPORT_TYPES).await?;
    for (directive, blocked) in violations(&report) {
        log::event(
            ctx.request_id.as_str(),
            "csp_violation",
            json!({ "directive": directive, "blocked": origin_only(&blocked) }),
        );
    }
    Ok(Response::empty()?.with_status(204))
}

/// Both report formats: the legacy `{"csp-report":{..}}` and the Reporting API's array of reports.
fn violations(report: &Value) -> Vec<(String, String)> {
    let field = |v: &Value, names: &[&str]| {
        names.iter().find_map(|n| v.get(*n).and_then(Value::as_str)).unwrap_or_default().to_owned()
    };
    let legacy = report.get("csp-report").into_iter();
    let modern = report.as_array().into_iter().flatten().filter_map(|r| r.get("body"));
    legacy
        .chain(modern)
        .map(|body| {
            (
                field(body, &["effective-directive", "violated-directive", "effectiveDirective"]),
                field(body, &["blocked-uri", "blockedURL"]),
            )
        })
        .collect()
}

/// A blocked URL's path and query may carry personal data or tokens: keep only its origin.
fn origin_only(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or_default()),
        None => url.chars().take(32).collect(),
    }
}
