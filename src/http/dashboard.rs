//! The operator dashboard API: `GET /api/admin/dashboard?days=` (every series as JSON) and
//! `GET /api/admin/dashboard/{series}.csv?days=` (one series as a CSV download). Admins only (see `admin`).

use gptimg_domain::dashboard::{Series, Window};
use gptimg_domain::time::UnixMillis;
use worker::{Request, Response};

use super::error::ApiError;
use super::{private_json, query_param, RequestContext};
use crate::platform;
use crate::usecases::dashboard as usecase;

fn window(req: &Request, now: UnixMillis) -> Result<Window, ApiError> {
    Ok(Window::parse(query_param(req, "days").as_deref(), now)?)
}

pub async fn json(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let now = platform::now();
    let window = window(req, now)?;
    Ok(private_json(&usecase::dashboard(&ctx.db()?, window, now).await?)?)
}

pub async fn csv(req: &Request, ctx: &RequestContext, segment: &str) -> Result<Response, ApiError> {
    let series = Series::from_csv_segment(segment)?;
    let now = platform::now();
    let window = window(req, now)?;
    let dashboard = usecase::dashboard(&ctx.db()?, window, now).await?;
    let mut response = Response::ok(dashboard.csv(series))?;
    let headers = response.headers_mut();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    let name = format!("gptimg-{}-{}-to-{}.csv", series.as_str(), dashboard.from, dashboard.to);
    headers.set("content-disposition", &format!("attachment; filename=\"{name}\""))?;
    headers.set("cache-control", "private, no-store")?;
    Ok(response)
}
