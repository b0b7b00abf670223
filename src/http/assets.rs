//! Serves the static web UI through the ASSETS binding: `site/`, which `scripts/pages.mjs` builds from `public/`
//! and `pages/`.

use worker::{Request, Response};

use super::error::ApiError;
use super::RequestContext;

pub async fn serve(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let assets = ctx.env.assets("ASSETS")?;
    Ok(super::response_headers::with_mutable_headers(assets.fetch_request(req).await?)?)
}

/// Legal pages carry the configured support address (the captured policy lost its own): `{{SUPPORT_EMAIL_LINK}}`
/// in the page becomes a mailto link, escaped.
pub async fn legal_page(req: Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let config = ctx.config()?;
    let mut page = serve(req, ctx).await?;
    if page.status_code() != 200 {
        return Ok(page);
    }
    let html = page.text().await?;
    let email = gptimg_domain::html::escape(config.support_email.as_str());
    let link = format!("<a href=\"mailto:{email}\">{email}</a>");
    let mut response = Response::from_html(html.replace("{{SUPPORT_EMAIL_LINK}}", &link))?;
    response.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(response)
}
