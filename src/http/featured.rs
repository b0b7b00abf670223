//! The landing page's featured images: `GET /api/featured` (public, revalidated by ETag) and the admin console's
//! `GET/POST /api/admin/featured` and `DELETE /api/admin/featured/{generation_id}`.

use gptimg_domain::gallery::featured::{list_etag, PUBLIC_CACHE_CONTROL};
use gptimg_domain::gallery::share_card::public_prompt;
use gptimg_domain::images::etag_matches;
use gptimg_domain::images::sizes::{versioned_path, ImageSize};
use gptimg_domain::links::share_page_path;
use serde::{Deserialize, Serialize};
use worker::{Headers, Request, Response};

use super::error::ApiError;
use super::generations::share_path;
use super::json_body::read_json;
use super::session::CurrentUser;
use super::{private_json, RequestContext};
use crate::platform::{self, CryptoRandom};
use crate::usecases::featured::{self as usecase, FeaturedRow};

/// What the landing page shows of a featured image: its public URLs (the medium, the preview), the medium's size,
/// and the prompt only if the owner chose to show it on the share page.
#[derive(Serialize)]
struct PublicImage {
    url: String,
    preview_url: String,
    width: i64,
    height: i64,
    prompt: Option<String>,
    share_page_url: String,
}

#[derive(Serialize)]
struct PublicList {
    images: Vec<PublicImage>,
}

/// The console's row: the public view plus which generation it is and since when.
#[derive(Serialize)]
struct AdminImage {
    generation_id: String,
    featured_at: i64,
    #[serde(flatten)]
    image: PublicImage,
}

#[derive(Serialize)]
struct AdminList {
    images: Vec<AdminImage>,
    max: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureRequest {
    /// The share page's URL as the Share button gives it, or its token.
    share_link: String,
}

fn public_image(row: &FeaturedRow, ctx: &RequestContext) -> Result<PublicImage, ApiError> {
    let app_url = &ctx.config()?.app_url;
    let (id, token) = (row.image_id.as_str(), row.share_token.as_str());
    let medium = versioned_path(id, ImageSize::Medium, row.medium_etag.as_deref());
    let preview = versioned_path(id, ImageSize::Preview, row.preview_etag.as_deref());
    Ok(PublicImage {
        url: app_url.join(&share_path(id, token, &medium)),
        preview_url: app_url.join(&share_path(id, token, &preview)),
        width: row.width,
        height: row.height,
        prompt: public_prompt(row.shown_prompt.as_deref()),
        share_page_url: app_url.join(&share_page_path(token)),
    })
}

/// `GET /api/featured`: anyone may read it; every use revalidates (304 while unchanged), so an unshared image
/// leaves every landing page at once.
pub async fn public(req: &Request, ctx: &RequestContext) -> Result<Response, ApiError> {
    let rows = usecase::list(&ctx.db()?).await?;
    let images = rows.iter().map(|row| public_image(row, ctx)).collect::<Result<_, _>>()?;
    let body = serde_json::to_vec(&PublicList { images }).map_err(ApiError::internal)?;
    let etag = list_etag(&body);
    let headers = Headers::new();
    headers.set("cache-control", PUBLIC_CACHE_CONTROL)?;
    headers.set("etag", &etag)?;
    if etag_matches(req.headers().get("if-none-match")?.as_deref(), &etag) {
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    headers.set("content-type", "application/json")?;
    Ok(Response::from_bytes(body)?.with_headers(headers))
}

async fn admin_list(ctx: &RequestContext) -> Result<Response, ApiError> {
    let rows = usecase::list(&ctx.db()?).await?;
    let images = rows
        .iter()
        .map(|row| {
            Ok(AdminImage {
                generation_id: row.generation_id.as_str().to_owned(),
                featured_at: row.featured_at,
                image: public_image(row, ctx)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(private_json(&AdminList { images, max: gptimg_domain::gallery::featured::MAX_FEATURED })?)
}

/// `GET /api/admin/featured`: what the landing page shows now.
pub async fn list(ctx: &RequestContext) -> Result<Response, ApiError> {
    admin_list(ctx).await
}

/// `POST /api/admin/featured` `{ "share_link": "…/s/{token}" }`: features it; answers the new list.
pub async fn feature(mut req: Request, ctx: &RequestContext, user: &CurrentUser) -> Result<Response, ApiError> {
    let request: FeatureRequest = read_json(&mut req, 2048, &["application/json"]).await?;
    usecase::feature(&ctx.db()?, &user.account.id, &request.share_link, platform::now(), &mut CryptoRandom).await?;
    admin_list(ctx).await
}

/// `DELETE /api/admin/featured/{generation_id}`: takes it off the landing page; answers the new list.
pub async fn unfeature(ctx: &RequestContext, user: &CurrentUser, id: &str) -> Result<Response, ApiError> {
    usecase::unfeature(&ctx.db()?, &user.account.id, id, platform::now(), &mut CryptoRandom).await?;
    admin_list(ctx).await
}
