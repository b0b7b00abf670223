//! Image sizes: the renditions made once at completion (preview, medium), how big each is made, which one a
//! `GET /images/{id}?size=` request names, its versioned URL, and how long a response may be cached.

use crate::error::DomainError;
use crate::time::UnixMillis;

/// What `?size=` names. `Original` is the stored result; the others are WebP renditions of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    Preview,
    Medium,
    Original,
}

/// The renditions made for every stored result, largest first (the preview is made from the medium).
pub const RENDITIONS: [ImageSize; 2] = [ImageSize::Medium, ImageSize::Preview];

/// What every rendition is encoded as.
pub const RENDITION_CONTENT_TYPE: &str = "image/webp";

/// Versioned URLs: the bytes behind them never change, so a browser may keep them for a year.
pub const IMMUTABLE: &str = "private, max-age=31536000, immutable";
/// An unversioned (or stale-versioned) URL: cached a day, revalidated with the ETag.
pub const DAILY: &str = "private, max-age=86400";
/// The original standing in for a rendition not made yet: the same URL will serve other bytes later.
pub const STAND_IN: &str = "private, no-cache";

/// Characters of the ETag that make up a URL's version.
const VERSION_CHARS: usize = 16;

impl ImageSize {
    /// `None` (no `?size=`) is the original; an unknown name is a 400 with a named code.
    pub fn parse(raw: Option<&str>) -> Result<Self, DomainError> {
        match raw {
            None | Some("original") => Ok(Self::Original),
            Some("preview") => Ok(Self::Preview),
            Some("medium") => Ok(Self::Medium),
            Some(_) => {
                Err(DomainError::bad_request("unknown_image_size", "size must be one of preview, medium or original."))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preview => "preview",
            Self::Medium => "medium",
            Self::Original => "original",
        }
    }

    /// The longest side a rendition is made at (never more than the original's); `None` for the original.
    pub fn long_side(self) -> Option<u32> {
        match self {
            Self::Preview => Some(512),
            Self::Medium => Some(1280),
            Self::Original => None,
        }
    }
}

/// The size of a rendition whose longest side is at most `long_side`: the aspect kept, never upscaled, at least
/// one pixel each way.
pub fn target_dimensions(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= long_side || longest == 0 {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(long_side) + u64::from(longest) / 2) / u64::from(longest);
        u32::try_from(scaled).unwrap_or(long_side).max(1)
    };
    (scale(width), scale(height))
}

/// The version a URL carries: the start of the served object's ETag (quotes and weakness dropped).
pub fn version_of(etag: &str) -> String {
    let bare = etag.trim_start_matches("W/").trim_matches('"');
    bare.chars().filter(char::is_ascii_alphanumeric).take(VERSION_CHARS).collect()
}

/// The URL of one size of an image, versioned by the ETag of the bytes it will serve. A rendition not made yet
/// gets no version: it serves the original for now, and the URL changes once the rendition exists.
pub fn versioned_path(image_id: &str, size: ImageSize, etag: Option<&str>) -> String {
    let base = crate::links::image_path(image_id);
    let version = etag.map(version_of).filter(|v| !v.is_empty());
    match (size, version) {
        (ImageSize::Original, Some(v)) => format!("{base}?v={v}"),
        (ImageSize::Original, None) => base,
        (size, Some(v)) => format!("{base}?size={}&v={v}", size.as_str()),
        (size, None) => format!("{base}?size={}", size.as_str()),
    }
}

/// `Cache-Control` for a served image: immutable only when the request names the version of exactly the bytes
/// served; the original standing in for a missing rendition is always revalidated.
pub fn cache_control(requested_version: Option<&str>, served_etag: &str, stand_in: bool) -> &'static str {
    if stand_in {
        return STAND_IN;
    }
    match requested_version {
        Some(v) if !v.is_empty() && v == version_of(served_etag) => IMMUTABLE,
        _ => DAILY,
    }
}

/// The most bytes APIPod's edit models take per input image ("10 MB each", `openai-image-sync.mdx`): the cap
/// uploads are held to (`images::UPLOAD_LIMITS`), and what a generated image used as a reference must fit.
pub const REFERENCE_MAX_BYTES: u64 = crate::images::UPLOAD_LIMITS.max_bytes as u64;

/// What the signed reference link of a generated image serves APIPod: the original when it is within the cap,
/// else its medium rendition (1280 px WebP, far below it). An oversized original without a medium yet (its
/// renditions failed and wait for the cron) is served as it is: APIPod refuses it with a 400, and the generation
/// fails with that reason and is refunded.
pub fn reference_size(original_bytes: u64, has_medium: bool) -> ImageSize {
    if original_bytes > REFERENCE_MAX_BYTES && has_medium {
        ImageSize::Medium
    } else {
        ImageSize::Original
    }
}

/// Failed attempts after which an image keeps only its original (it is still served; nothing is lost).
pub const RENDITION_TRIES: u32 = 5;

/// When to try again after `failed_tries` failed attempts: 1, 4, 16, 64 minutes later, then never.
pub fn next_rendition_try(failed_tries: u32, now: UnixMillis) -> Option<UnixMillis> {
    if failed_tries == 0 || failed_tries >= RENDITION_TRIES {
        return (failed_tries == 0).then_some(now);
    }
    Some(now.plus_secs(60 * 4_i64.pow(failed_tries - 1)))
}

#[cfg(test)]
mod tests;
