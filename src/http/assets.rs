//! Serves the static web UI from `public/` through the ASSETS binding.

use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;

pub async fn serve(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let assets = ctx.env.assets("ASSETS")?;
    Ok(assets.fetch_request(req).await?)
}
