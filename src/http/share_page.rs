//! `GET /s/{token}`: the public page of a shared generation, rendered here (escaped) so a link previews in chat
//! apps: its medium image, the prompt only if the owner chose to show it, and Open Graph / Twitter card tags with
//! absolute URLs. A token never issued or revoked is the 404 page at once (nothing is cached).

use gptimg_domain::gallery::share_card::share_card;
use gptimg_domain::html::escape;
use gptimg_domain::images::sizes::{versioned_path, ImageSize};
use gptimg_domain::links::share_page_path;
use worker::{Request, Response};

use super::error::ApiError;
use super::generations::share_path;
use super::pages;
use super::RequestContext;
use crate::usecases::generations as usecase;

pub async fn get(_req: &Request, ctx: &RequestContext, token: &str) -> Result<Response, ApiError> {
    let Some(shared) = usecase::shared_page(&ctx.db()?, token).await? else {
        return Ok(no_store(pages::not_found()?)?);
    };
    let config = ctx.config()?;
    let model = config.models.by_id(&shared.model_id).map_or(shared.model_id.as_str(), |m| m.name.as_str());
    let card = share_card(shared.share_shows_prompt.then_some(shared.prompt.as_str()), model);
    let id = shared.image_id.as_str();
    let image_path = share_path(id, token, &versioned_path(id, ImageSize::Medium, shared.medium_etag.as_deref()));
    let image_url = escape(&config.app_url.join(&image_path));
    let page_url = escape(&config.app_url.join(&share_page_path(token)));
    let (title, description, alt) = (escape(&card.title), escape(&card.description), escape(&card.alt));
    let (width, height) = (shared.width, shared.height);
    let head = format!(
        "  <link rel=\"stylesheet\" href=\"/share.css\">\n\
  <meta name=\"description\" content=\"{description}\">\n\
  <meta name=\"robots\" content=\"noindex\">\n\
  <meta property=\"og:type\" content=\"website\">\n\
  <meta property=\"og:site_name\" content=\"GPTImg\">\n\
  <meta property=\"og:title\" content=\"{title}\">\n\
  <meta property=\"og:description\" content=\"{description}\">\n\
  <meta property=\"og:url\" content=\"{page_url}\">\n\
  <meta property=\"og:image\" content=\"{image_url}\">\n\
  <meta property=\"og:image:width\" content=\"{width}\">\n\
  <meta property=\"og:image:height\" content=\"{height}\">\n\
  <meta property=\"og:image:alt\" content=\"{alt}\">\n\
  <meta name=\"twitter:card\" content=\"summary_large_image\">\n\
  <meta name=\"twitter:title\" content=\"{title}\">\n\
  <meta name=\"twitter:description\" content=\"{description}\">\n\
  <meta name=\"twitter:image\" content=\"{image_url}\">\n\
  <meta name=\"twitter:image:alt\" content=\"{alt}\">"
    );
    let prompt = match shared.share_shows_prompt {
        true => format!("\n      <blockquote class=\"share-prompt\">{}</blockquote>", escape(&shared.prompt)),
        false => String::new(),
    };
    let content = format!(
        "    <figure class=\"share-figure\">\n\
      <img class=\"share-image\" src=\"{image_url}\" width=\"{width}\" height=\"{height}\" alt=\"{alt}\">\n\
      <figcaption class=\"share-caption\">{prompt}\n\
      <p class=\"share-made-with\">Made with {model} on GPTImg.</p>\n\
      <p><a class=\"button\" href=\"/\">Make your own</a></p>\n\
      </figcaption>\n\
    </figure>",
        model = escape(model),
    );
    Ok(no_store(pages::page(200, &format!("{} — GPTImg", card.title), &head, "share-page", &content)?)?)
}

/// Revoking must take effect at once, so neither the page nor its 404 is kept by any cache.
fn no_store(mut response: Response) -> worker::Result<Response> {
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}
