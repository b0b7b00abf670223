//! Image bytes: recognised by their signature (never the declared type), checked whole, dimensions bounded; the
//! streaming check, rendition sizes and stored reference uploads in the modules below.

pub mod sizes;
pub mod stream;
pub mod uploads;

use crate::error::{DomainError, ErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Webp,
}

impl ImageFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// How large an image may be: its bytes, and its longest side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    pub max_bytes: usize,
    pub max_side: u32,
}

/// Reference uploads: 10 MiB and 8192 px a side, which every model takes as a reference.
pub const UPLOAD_LIMITS: ImageLimits = ImageLimits { max_bytes: 10 * 1024 * 1024, max_side: 8192 };
/// Results copied from APIPod. The longest documented output is a 16 MP 8:1 "4K" image (11648 x 1456); its
/// PNG runs to ~30 MB when textured. 16384 a side (WebP's own limit) and 64 MiB leave room for that without
/// accepting anything absurd; a result streams into R2, so its size never has to fit in memory.
pub const RESULT_LIMITS: ImageLimits = ImageLimits { max_bytes: 64 * 1024 * 1024, max_side: 16384 };
/// What our own renditions (WebP, at most 1280 px) are checked against.
pub const RENDITION_LIMITS: ImageLimits = ImageLimits { max_bytes: 16 * 1024 * 1024, max_side: 4096 };
pub const MIN_DIMENSION: u32 = 16;

fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else {
        None
    }
}

/// A file cut short loses its end: PNG's IEND chunk, JPEG's EOI marker, or the length WebP's header promises.
/// `head` is the file's start, `tail` its last bytes (at least 12 unless the file is shorter), `total` its size.
fn is_complete(format: ImageFormat, head: &[u8], tail: &[u8], total: usize) -> bool {
    match format {
        ImageFormat::Png => {
            total >= 20 && tail.len() >= 12 && &tail[tail.len() - 12..tail.len() - 4] == b"\0\0\0\0IEND"
        }
        ImageFormat::Jpeg => tail.ends_with(&[0xFF, 0xD9]),
        ImageFormat::Webp => {
            let declared = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
            declared + 8 == total || declared + 9 == total
        }
    }
}

/// Checks bytes claimed to be an image: 413 too large, 415 not PNG/JPEG/WebP, 422 truncated or out of bounds.
pub fn inspect(bytes: &[u8], limits: ImageLimits) -> Result<ImageInfo, DomainError> {
    inspect_parts(bytes, bytes, bytes.len(), limits)
}

/// The same checks on an image seen only in part while it streams: its first bytes (enough for the header),
/// its last bytes and its size.
pub fn inspect_parts(head: &[u8], tail: &[u8], total: usize, limits: ImageLimits) -> Result<ImageInfo, DomainError> {
    if total > limits.max_bytes {
        return Err(too_large(limits.max_bytes));
    }
    let format = sniff(head).ok_or_else(|| {
        DomainError::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_image_type",
            "Only PNG, JPEG and WebP images are accepted.",
        )
    })?;
    let unreadable = || DomainError::invalid("image_unreadable", "The image is damaged or incomplete.");
    if !is_complete(format, head, tail, total) {
        return Err(unreadable());
    }
    let size = imagesize::blob_size(head).map_err(|_| unreadable())?;
    let (width, height) =
        (u32::try_from(size.width).unwrap_or(u32::MAX), u32::try_from(size.height).unwrap_or(u32::MAX));
    let in_bounds = |d: u32| (MIN_DIMENSION..=limits.max_side).contains(&d);
    if !in_bounds(width) || !in_bounds(height) {
        return Err(DomainError::invalid(
            "image_dimensions_out_of_range",
            format!("Images must be {MIN_DIMENSION} to {} pixels wide and high.", limits.max_side),
        ));
    }
    Ok(ImageInfo { format, width, height })
}

/// 413: the image is over `max_bytes`.
pub fn too_large(max_bytes: usize) -> DomainError {
    DomainError::new(
        ErrorKind::PayloadTooLarge,
        "image_too_large",
        format!("Images must be at most {} MiB.", max_bytes / (1024 * 1024)),
    )
}

/// A single `Range: bytes=` request resolved against an object's size; `None` means serve it whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    /// The `Content-Range` of a 206 answer serving this range of an object of `size` bytes.
    pub fn content_range(self, size: u64) -> String {
        format!("bytes {}-{}/{size}", self.offset, self.offset + self.length - 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsatisfiableRange;

impl UnsatisfiableRange {
    /// The `Content-Range` of the 416 answer: the object's size, so the client can ask again.
    pub fn content_range(size: u64) -> String {
        format!("bytes */{size}")
    }
}

/// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`; multiple ranges are served whole (allowed by RFC 9110).
pub fn parse_range(header: Option<&str>, size: u64) -> Result<Option<ByteRange>, UnsatisfiableRange> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(UnsatisfiableRange)?;
    let parse = |s: &str| s.trim().parse::<u64>().map_err(|_| UnsatisfiableRange);
    let (offset, last) = match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, false) => {
            let suffix = parse(end)?.min(size);
            if suffix == 0 {
                return Err(UnsatisfiableRange);
            }
            (size - suffix, size - 1)
        }
        (false, true) => (parse(start)?, size.saturating_sub(1)),
        (false, false) => (parse(start)?, parse(end)?.min(size.saturating_sub(1))),
        (true, true) => return Err(UnsatisfiableRange),
    };
    if offset >= size || last < offset {
        return Err(UnsatisfiableRange);
    }
    Ok(Some(ByteRange { offset, length: last - offset + 1 }))
}

/// `If-None-Match` names the object's ETag (or `*`): the client's copy is current, so the answer is 304.
pub fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"))
}

#[cfg(test)]
pub(crate) mod tests;

/// Lower-case hex SHA-256 of the bytes, recorded with every upload.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::hex::encode(&Sha256::digest(bytes))
}
