//! Featured images: the shared images an operator picks for the landing page's "Made with GPTImg". Which link
//! names a shared image, how many may be featured, why featuring one was refused, and the public list's caching.

use crate::error::{DomainError, ErrorKind};
use crate::links::is_share_token;

/// The landing page shows at most this many; featuring another past it is refused until one is removed.
pub const MAX_FEATURED: usize = 6;

/// The public list is revalidated on every use (its ETag makes that a 304): an image must disappear the moment it
/// is unshared, so no cache may keep the list on its own authority.
pub const PUBLIC_CACHE_CONTROL: &str = "public, no-cache";

/// The share token an operator's input names: the token itself, a share page path (`/s/{token}`) or its full URL
/// (a trailing slash, query or fragment is ignored). Anything else is 400 `invalid_share_link`.
pub fn share_token_of(input: &str) -> Result<&str, DomainError> {
    let trimmed = input.trim();
    let without_extras = trimmed.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let token = match without_extras.rsplit_once("/s/") {
        Some((before, token)) if before.is_empty() || before.contains("://") => token,
        Some(_) => "",
        None => without_extras,
    };
    if is_share_token(token) {
        Ok(token)
    } else {
        Err(DomainError::bad_request(
            "invalid_share_link",
            "Paste a share page link (…/s/…) or its token, as the image's Share button gives it.",
        ))
    }
}

/// What the featuring batch found: whether a live share has this token, and whether its generation is featured now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureAttempt {
    pub shared: bool,
    pub featured: bool,
}

/// `None` when the image is featured (newly or already: featuring twice changes nothing); otherwise why not. An
/// unshared, deleted or erased image has no live share token, so all three are `image_not_shared`.
pub fn feature_refusal(attempt: FeatureAttempt) -> Option<DomainError> {
    match attempt {
        FeatureAttempt { featured: true, .. } => None,
        FeatureAttempt { shared: false, .. } => Some(DomainError::new(
            ErrorKind::NotFound,
            "image_not_shared",
            "No image is shared under this link: it was never shared, or it was unshared or deleted.",
        )),
        FeatureAttempt { shared: true, featured: false } => Some(featured_full()),
    }
}

fn featured_full() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "featured_full",
        format!("At most {MAX_FEATURED} images can be featured; remove one first."),
    )
}

/// Removing an image that is not featured: 404 `not_featured` (nothing changed).
pub fn not_featured() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "not_featured", "This image is not featured.")
}

/// The public list's ETag: a digest of the exact body, so a revalidation answers 304 only for the same bytes.
pub fn list_etag(body: &[u8]) -> String {
    format!("W/\"{}\"", &crate::images::sha256_hex(body)[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz";

    #[test]
    fn a_token_a_share_path_or_a_share_url_names_the_share() {
        for input in [
            TOKEN.to_owned(),
            format!("  {TOKEN}\n"),
            format!("/s/{TOKEN}"),
            format!("https://gptimg.example/s/{TOKEN}"),
            format!("https://gptimg.example/s/{TOKEN}/"),
            format!("http://127.0.0.1:8787/s/{TOKEN}?utm=x#top"),
        ] {
            assert_eq!(share_token_of(&input).unwrap(), TOKEN, "{input:?}");
        }
    }

    #[test]
    fn anything_else_is_a_named_bad_request() {
        for input in [
            String::new(),
            "   ".to_owned(),
            "short".to_owned(),
            TOKEN.to_uppercase(),
            format!("https://gptimg.example/images/{TOKEN}"),
            format!("https://gptimg.example/x/s/{TOKEN}extra"),
            format!("evil/s/{TOKEN}"),
            format!("/s/{TOKEN}/more"),
        ] {
            let error = share_token_of(&input).unwrap_err();
            assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::BadRequest, "invalid_share_link"), "{input:?}");
        }
    }

    #[test]
    fn featuring_is_refused_by_name_unless_the_image_is_featured() {
        assert_eq!(feature_refusal(FeatureAttempt { shared: true, featured: true }), None);
        let unshared = feature_refusal(FeatureAttempt { shared: false, featured: false }).unwrap();
        assert_eq!((unshared.kind, unshared.code.as_ref()), (ErrorKind::NotFound, "image_not_shared"));
        let full = feature_refusal(FeatureAttempt { shared: true, featured: false }).unwrap();
        assert_eq!((full.kind, full.code.as_ref()), (ErrorKind::Conflict, "featured_full"));
        assert!(full.message.contains(&MAX_FEATURED.to_string()), "{}", full.message);
        assert_eq!(not_featured().code, "not_featured");
    }

    #[test]
    fn the_etag_changes_with_the_body_and_only_with_it() {
        assert_eq!(list_etag(b"{\"images\":[]}"), list_etag(b"{\"images\":[]}"));
        assert_ne!(list_etag(b"{\"images\":[]}"), list_etag(b"{\"images\":[1]}"));
        assert!(list_etag(b"x").starts_with("W/\"") && list_etag(b"x").len() == 20);
    }

    #[test]
    fn the_public_list_is_never_served_from_a_cache_without_asking() {
        assert!(PUBLIC_CACHE_CONTROL.contains("no-cache"));
        assert!(MAX_FEATURED >= 3 && MAX_FEATURED <= 12);
    }
}
