//! Cross-site request forgery: which state-changing requests we accept, judged from `Origin` and `Sec-Fetch-Site`.

use crate::error::{DomainError, ErrorKind};

/// Browsers always send `Origin` on cross-origin writes; non-browser clients send neither header, and cannot ride
/// on a visitor's cookies anyway. So a write is accepted unless a header present names another site.
pub fn check_same_origin(origin: Option<&str>, fetch_site: Option<&str>, app_origin: &str) -> Result<(), DomainError> {
    let origin_ok = origin.is_none_or(|origin| origin == app_origin);
    let fetch_site_ok = fetch_site.is_none_or(|site| site == "same-origin" || site == "none");
    if origin_ok && fetch_site_ok {
        Ok(())
    } else {
        Err(DomainError::new(
            ErrorKind::Forbidden,
            "cross_origin_request",
            "Requests from other sites are not allowed.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "https://gptimg.test";

    #[test]
    fn our_own_pages_and_clients_without_browser_headers_are_accepted() {
        assert!(check_same_origin(Some(APP), Some("same-origin"), APP).is_ok());
        assert!(check_same_origin(None, None, APP).is_ok());
        assert!(check_same_origin(None, Some("none"), APP).is_ok(), "typed into the address bar");
        assert!(check_same_origin(Some(APP), None, APP).is_ok());
    }

    #[test]
    fn another_origin_or_a_cross_site_fetch_is_refused_as_403() {
        for (origin, site) in [
            (Some("https://evil.test"), None),
            (Some("http://gptimg.test"), Some("same-origin")),
            (Some("null"), None),
            (None, Some("cross-site")),
            (Some(APP), Some("same-site")),
        ] {
            let error = check_same_origin(origin, site, APP).unwrap_err();
            assert_eq!(
                (error.kind, error.code.as_ref()),
                (ErrorKind::Forbidden, "cross_origin_request"),
                "{origin:?} {site:?}"
            );
        }
    }
}
