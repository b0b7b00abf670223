//! `POST /api/csp-report`: browsers report Content-Security-Policy violations here; we log what was blocked
//! (`gptimg_domain::csp` reads both report formats and keeps only origins).

use gptimg_domain::csp::violations;
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
    for violation in violations(&report) {
        log::event(
            ctx.request_id.as_str(),
            "csp_violation",
            json!({ "directive": violation.directive, "blocked": violation.blocked }),
        );
    }
    Ok(Response::empty()?.with_status(204))
}
