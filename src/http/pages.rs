//! Small server-rendered HTML pages for browser flows (sign-in errors), in the site's one layout
//! (`pages/_layout.html`, which `scripts/pages.mjs` also renders the static pages into).

use gptimg_domain::html::escape;
use worker::Response;

const LAYOUT: &str = include_str!("../../pages/_layout.html");

/// The layout with each `{{slot}}` replaced by `slot(name)`, in one pass so filled text is never re-read as a slot.
fn fill<'a>(slot: impl Fn(&str) -> &'a str) -> String {
    let mut html = String::with_capacity(LAYOUT.len() + 1024);
    let mut rest = LAYOUT;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start..].find("}}") else { break };
        html.push_str(&rest[..start]);
        html.push_str(slot(&rest[start + 2..start + length]));
        rest = &rest[start + length + 2..];
    }
    html.push_str(rest);
    html
}

/// A page in the layout: `title` and `head` go in `<head>` (`head` already escaped), `content` in `<main>`.
pub fn page(status: u16, title: &str, head: &str, main_class: &str, content: &str) -> worker::Result<Response> {
    let title = escape(title);
    let html = fill(|slot| match slot {
        "title" => &title,
        "head" => head,
        "main_class" => main_class,
        "content" => content,
        _ => "",
    });
    Ok(Response::from_html(html)?.with_status(status))
}

/// The site's 404 page (as `pages/404.html`), for paths the Worker answers itself.
pub fn not_found() -> worker::Result<Response> {
    let content = "    <h1>Page not found</h1>\n    <p class=\"lede\">That page does not exist. <a href=\"/\">Go to the home page</a>.</p>";
    page(404, "Not found — GPTImg", "", "hero", content)
}

/// A readable page with a heading, an explanation, a stable error code and a way back.
pub fn message(status: u16, title: &str, explanation: &str, code: &str) -> worker::Result<Response> {
    let (title, explanation, code) = (escape(title), escape(explanation), escape(code));
    let page_title = format!("{title} — GPTImg");
    let content = format!(
        "    <h1>{title}</h1>\n    <p class=\"lede\">{explanation}</p>\n\
    <p><a class=\"button\" href=\"/auth/google/start\">Try signing in again</a> <a href=\"/\">Home</a></p>\n\
    <p class=\"error-code\">Error code: <code>{code}</code></p>"
    );
    let html = fill(|slot| match slot {
        "title" => &page_title,
        "main_class" => "hero",
        "content" => &content,
        _ => "",
    });
    Ok(Response::from_html(html)?.with_status(status))
}
