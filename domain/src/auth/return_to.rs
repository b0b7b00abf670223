//! Where to send a user after sign-in: only same-site relative paths, never an open redirect.

/// A same-site path such as `/app?tab=gallery`, safe to put in a `Location` header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ReturnPath(String);

impl ReturnPath {
    pub const DEFAULT: &'static str = "/app";
    const MAX_LEN: usize = 512;

    /// Anything that is not a plain same-site path (`//evil`, `https://evil`, `/\evil`, control
    /// characters, over-long) falls back to `/app`.
    pub fn parse_or_default(raw: Option<&str>) -> Self {
        raw.and_then(Self::parse).unwrap_or_else(|| Self(Self::DEFAULT.to_owned()))
    }

    fn parse(raw: &str) -> Option<Self> {
        let safe = raw.len() <= Self::MAX_LEN
            && raw.starts_with('/')
            && !raw.starts_with("//")
            && !raw.contains('\\')
            && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
        safe.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(raw: &str) -> String {
        ReturnPath::parse_or_default(Some(raw)).as_str().to_owned()
    }

    #[test]
    fn same_site_paths_are_kept() {
        assert_eq!(target("/app"), "/app");
        assert_eq!(target("/gallery?page=2#top"), "/gallery?page=2#top");
    }

    #[test]
    fn open_redirect_attempts_fall_back_to_the_app() {
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "/\tevil",
            "/\r\nSet-Cookie: x",
            "javascript:alert(1)",
            " /app",
            "",
        ] {
            assert_eq!(target(evil), "/app", "{evil:?}");
        }
        assert_eq!(ReturnPath::parse_or_default(None).as_str(), "/app");
        assert_eq!(target(&format!("/{}", "a".repeat(600))), "/app");
    }
}
