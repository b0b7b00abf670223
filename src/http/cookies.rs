//! Reading the `Cookie` header and writing `Set-Cookie` values with the flags our cookies need.

use worker::Request;

/// Over https the cookies carry a prefix that browsers enforce: the session's `__Host-` (only with `Secure`,
/// `Path=/` and no `Domain`, so no subdomain and no plain-http page can plant or overwrite it) and the OAuth state's
/// `__Secure-` (its path is `/auth/google`, which `__Host-` does not allow). A prefix needs `Secure`, which plain-http
/// local development cannot set, so there the bare names are used. Only the name for the site's scheme is read.
const SESSION_COOKIE: (&str, &str) = ("__Host-gptimg_session", "gptimg_session");
const OAUTH_COOKIE: (&str, &str) = ("__Secure-gptimg_oauth", "gptimg_oauth");

/// The session cookie's name on a site served over https (`secure`) or plain http.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        SESSION_COOKIE.0
    } else {
        SESSION_COOKIE.1
    }
}

/// The OAuth state cookie's name, likewise.
pub fn oauth_cookie(secure: bool) -> &'static str {
    if secure {
        OAUTH_COOKIE.0
    } else {
        OAUTH_COOKIE.1
    }
}

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
