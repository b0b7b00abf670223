//! Validated absolute base URLs for configuration: https anywhere, plain http only on loopback.

use std::fmt;

/// An absolute `http(s)://host[:port][/path]` URL with no query, fragment or trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    full: String,
    origin_len: usize,
    secure: bool,
}

impl BaseUrl {
    /// Why a value is not a usable base URL, in words safe to show (never echoes the value).
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim().trim_end_matches('/');
        if raw.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err("must not contain whitespace");
        }
        let (secure, rest) = if let Some(rest) = raw.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = raw.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err("must start with https://");
        };
        if rest.contains(['?', '#', '@', '\\']) {
            return Err("must not contain a query, fragment, credentials or backslash");
        }
        let authority = rest.split('/').next().unwrap_or_default();
        let host = host_of(authority);
        if host.is_empty() {
            return Err("must name a host");
        }
        if !secure && !is_loopback(host) {
            return Err("must use https (plain http is allowed only for localhost)");
        }
        let origin_len = raw.len() - rest.len() + authority.len();
        Ok(Self { full: raw.to_owned(), origin_len, secure })
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// `scheme://host[:port]`, as browsers send it in the `Origin` header.
    pub fn origin(&self) -> &str {
        &self.full[..self.origin_len]
    }

    pub fn is_https(&self) -> bool {
        self.secure
    }

    /// Appends `path` (which must start with `/`) to the base.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.full, path)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

fn host_of(authority: &str) -> &str {
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_keep_their_path_and_lose_a_trailing_slash() {
        let url = BaseUrl::parse("https://api.stripe.com/v1/").unwrap();
        assert_eq!(url.as_str(), "https://api.stripe.com/v1");
        assert_eq!(url.origin(), "https://api.stripe.com");
        assert!(url.is_https());
        assert_eq!(url.join("/customers"), "https://api.stripe.com/v1/customers");
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(BaseUrl::parse("http://127.0.0.1:8787").is_ok());
        assert!(BaseUrl::parse("http://localhost:9000/fake").is_ok());
        assert!(BaseUrl::parse("http://[::1]:8080").is_ok());
        assert!(BaseUrl::parse("http://example.com").is_err());
        assert!(BaseUrl::parse("http://127.0.0.1.evil.example").is_err());
        assert!(BaseUrl::parse("http://localhost.evil.example").is_err());
    }

    #[test]
    fn origin_of_a_loopback_url_includes_the_port() {
        let url = BaseUrl::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(url.origin(), "http://127.0.0.1:8787");
    }

    #[test]
    fn malformed_values_are_rejected() {
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https://host/path?q=1",
            "https://a b",
            "https://u@host",
            "//host",
            "https://host#x",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
