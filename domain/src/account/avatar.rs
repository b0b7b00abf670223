//! Which profile-image URLs the Worker may fetch on a user's behalf: the allow-list that keeps the avatar proxy
//! from being pointed at arbitrary hosts (SSRF).

/// The parts of a parsed URL the rule looks at (the Worker parses; this stays free of a URL crate).
#[derive(Debug, Clone, Copy)]
pub struct ImageUrl<'a> {
    pub scheme: &'a str,
    pub host: Option<&'a str>,
    /// `scheme://host[:port]` as serialised by the URL parser; `"null"` for opaque URLs.
    pub origin: &'a str,
}

/// Google's image host over https (any `*.googleusercontent.com`), or exactly the origin of the configured
/// Google sign-in endpoint (a local stand-in in tests). Nothing else: no other host, port or scheme.
pub fn may_fetch(url: ImageUrl<'_>, sign_in_origin: Option<&str>) -> bool {
    let google_host = url.scheme == "https" && url.host.is_some_and(|host| host.ends_with(".googleusercontent.com"));
    let sign_in_host = url.origin != "null" && sign_in_origin == Some(url.origin);
    google_host || sign_in_host
}

/// An answer worth passing on as the profile image: a 200 that says it is an image. Anything else is "no image".
pub fn is_image_answer(status: u16, content_type: &str) -> bool {
    status == 200 && content_type.starts_with("image/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_200_image_answer_is_served() {
        assert!(is_image_answer(200, "image/png"));
        assert!(is_image_answer(200, "image/jpeg; charset=binary"));
        assert!(!is_image_answer(200, "text/html"));
        assert!(!is_image_answer(200, ""));
        assert!(!is_image_answer(302, "image/png"));
        assert!(!is_image_answer(404, "image/png"));
    }

    const STAND_IN: Option<&str> = Some("http://127.0.0.1:9100");

    fn url<'a>(scheme: &'a str, host: &'a str, origin: &'a str) -> ImageUrl<'a> {
        ImageUrl { scheme, host: Some(host), origin }
    }

    #[test]
    fn googles_image_hosts_over_https_are_fetched() {
        let lh3 = url("https", "lh3.googleusercontent.com", "https://lh3.googleusercontent.com");
        assert!(may_fetch(lh3, None));
        assert!(may_fetch(lh3, STAND_IN));
    }

    #[test]
    fn googles_image_hosts_over_plain_http_are_not() {
        assert!(!may_fetch(url("http", "lh3.googleusercontent.com", "http://lh3.googleusercontent.com"), None));
    }

    #[test]
    fn look_alike_hosts_are_not() {
        for host in ["googleusercontent.com", "evilgoogleusercontent.com", "lh3.googleusercontent.com.evil.test"] {
            assert!(!may_fetch(url("https", host, &format!("https://{host}")), None), "{host}");
        }
    }

    #[test]
    fn the_sign_in_origin_is_fetched_only_on_its_exact_origin() {
        assert!(may_fetch(url("http", "127.0.0.1", "http://127.0.0.1:9100"), STAND_IN));
        assert!(!may_fetch(url("http", "127.0.0.1", "http://127.0.0.1:9101"), STAND_IN));
        assert!(!may_fetch(url("https", "127.0.0.1", "https://127.0.0.1:9100"), STAND_IN));
        assert!(!may_fetch(url("http", "127.0.0.1", "http://127.0.0.1:9100"), None));
    }

    #[test]
    fn internal_and_opaque_urls_are_not() {
        assert!(!may_fetch(url("http", "169.254.169.254", "http://169.254.169.254"), STAND_IN));
        assert!(!may_fetch(url("http", "localhost", "http://localhost"), STAND_IN));
        assert!(!may_fetch(ImageUrl { scheme: "data", host: None, origin: "null" }, Some("null")));
    }
}
