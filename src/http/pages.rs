//! Small server-rendered HTML pages for browser flows (sign-in errors), styled by the site's stylesheet.

use worker::Response;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A readable page with a heading, an explanation, a stable error code and a way back.
pub fn message(status: u16, title: &str, explanation: &str, code: &str) -> worker::Result<Response> {
    let (title, explanation, code) = (escape(title), escape(explanation), escape(code));
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — GPTImg</title>\
<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/styles.css\"></head>\
<body><header class=\"site-header\"><a class=\"brand\" href=\"/\">GPTImg</a></header>\
<main id=\"main\" class=\"hero\"><h1>{title}</h1><p class=\"lede\">{explanation}</p>\
<p><a class=\"button\" href=\"/auth/google/start\">Try signing in again</a> <a href=\"/\">Home</a></p>\
<p class=\"error-code\">Error code: <code>{code}</code></p></main></body></html>"
    );
    Ok(Response::from_html(html)?.with_status(status))
}
