//! Reading the `Cookie` header and writing `Set-Cookie` values with the flags our cookies need.

use worker::Request;

pub const SESSION_COOKIE: &str = "gptimg_session";
pub const OAUTH_COOKIE: &str = "gptimg_oauth";

/// The value of cookie `name`, if the request carries it.
pub fn read(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| value.trim_matches('"').to_owned())
    })
}

/// An HttpOnly, SameSite=Lax cookie; `Secure` whenever the site is served over https.
pub fn set(name: &str, value: &str, path: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear(name: &str, path: &str, secure: bool) -> String {
    set(name, "", path, 0, secure)
}
