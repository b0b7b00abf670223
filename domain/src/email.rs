//! Email addresses: a deliberately simple, conservative syntax check and normalisation.

use std::fmt;

/// A syntactically plausible email address, trimmed and with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty");
        }
        if raw.len() > Self::MAX_LEN {
            return Err("is longer than 254 characters");
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')) {
            return Err("contains characters not allowed in an email address");
        }
        let (local, domain) = raw.rsplit_once('@').ok_or("has no @")?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err("is not a valid email address");
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-insensitive comparison, for allow-lists such as `ADMIN_EMAILS`.
    pub fn matches(&self, other: &EmailAddress) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_their_domain_lowercased() {
        assert_eq!(EmailAddress::parse("  Ada@Example.COM ").unwrap().as_str(), "Ada@example.com");
    }

    #[test]
    fn implausible_addresses_are_rejected() {
        for bad in ["", "plain", "@example.com", "a@", "a@b", "a@.b.c", "a@b..c", "a b@c.d", "a@b.c,d@e.f", "<a@b.c>"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(EmailAddress::parse(&format!("{}@b.cd", "a".repeat(65))).is_err());
    }

    #[test]
    fn allow_list_matching_ignores_case() {
        let a = EmailAddress::parse("Admin@gptimg.example").unwrap();
        let b = EmailAddress::parse("admin@GPTIMG.example").unwrap();
        assert!(a.matches(&b));
    }
}
