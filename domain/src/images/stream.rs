//! Checking an image while it streams through (upload or result copy), so no whole copy is ever held: the size
//! cap is enforced chunk by chunk, the SHA-256 is computed incrementally, and only the first and last bytes are
//! kept for the format, dimension and completeness checks of `images::inspect_parts`.

use sha2::{Digest, Sha256};

use crate::error::DomainError;
use crate::images::{inspect_parts, too_large, ImageInfo, ImageLimits};

/// Bytes kept from the start: every PNG and WebP header, and JPEG frame headers after up to 256 KiB of
/// metadata segments. A JPEG whose frame header comes later is refused as unreadable.
pub const HEAD_BYTES: usize = 256 * 1024;
const TAIL_BYTES: usize = 16;

/// What a fully streamed image turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedImage {
    pub info: ImageInfo,
    pub size_bytes: usize,
    pub sha256: String,
}

#[derive(Debug)]
pub struct StreamCheck {
    limits: ImageLimits,
    total: usize,
    head: Vec<u8>,
    tail: Vec<u8>,
    hasher: Sha256,
}

impl StreamCheck {
    pub fn new(limits: ImageLimits) -> Self {
        Self { limits, total: 0, head: Vec::new(), tail: Vec::new(), hasher: Sha256::new() }
    }

    /// Takes the next chunk; refuses (413) as soon as the total passes the cap, before the chunk goes anywhere.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), DomainError> {
        self.total = self.total.saturating_add(chunk.len());
        if self.total > self.limits.max_bytes {
            return Err(too_large(self.limits.max_bytes));
        }
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.tail.extend_from_slice(&chunk[chunk.len().saturating_sub(TAIL_BYTES)..]);
        let excess = self.tail.len().saturating_sub(TAIL_BYTES);
        self.tail.drain(..excess);
        self.hasher.update(chunk);
        Ok(())
    }

    pub fn bytes_seen(&self) -> usize {
        self.total
    }

    /// After the last chunk: the image's facts, or why it is not an acceptable image.
    pub fn finish(self) -> Result<StreamedImage, DomainError> {
        let info = inspect_parts(&self.head, &self.tail, self.total, self.limits)?;
        let sha256 = crate::hex::encode(&self.hasher.finalize());
        Ok(StreamedImage { info, size_bytes: self.total, sha256 })
    }
}

#[cfg(test)]
mod tests;
