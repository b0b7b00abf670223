//! Unit tests of the streaming check: same facts as the whole bytes, the cap enforced while feeding.

use super::*;
use crate::images::tests::padded_png as png;
use crate::images::{inspect, sha256_hex, ImageFormat, ImageLimits, UPLOAD_LIMITS};

fn streamed(bytes: &[u8], chunk: usize, limits: ImageLimits) -> Result<StreamedImage, crate::error::DomainError> {
    let mut check = StreamCheck::new(limits);
    for part in bytes.chunks(chunk) {
        check.feed(part)?;
    }
    check.finish()
}

#[test]
fn a_streamed_image_gives_the_same_facts_and_hash_as_the_whole_bytes() {
    let bytes = png(640, 480, 3 * HEAD_BYTES);
    for chunk in [1, 7, 4096, 65_536, bytes.len()] {
        let image = streamed(&bytes, chunk, UPLOAD_LIMITS).unwrap();
        assert_eq!(image.info, inspect(&bytes, UPLOAD_LIMITS).unwrap());
        assert_eq!(image.info.format, ImageFormat::Png);
        assert_eq!(image.size_bytes, bytes.len());
        assert_eq!(image.sha256, sha256_hex(&bytes));
    }
}

#[test]
fn the_cap_is_enforced_while_feeding_not_after() {
    let mut check = StreamCheck::new(ImageLimits { max_bytes: 100, ..UPLOAD_LIMITS });
    assert!(check.feed(&[0; 60]).is_ok());
    let refused = check.feed(&[0; 41]).unwrap_err();
    assert_eq!(refused.code, "image_too_large");
    assert_eq!(check.bytes_seen(), 101);
}

#[test]
fn a_truncated_or_foreign_stream_is_refused_at_the_end() {
    let bytes = png(64, 64, 1000);
    assert_eq!(streamed(&bytes[..bytes.len() - 3], 100, UPLOAD_LIMITS).unwrap_err().code, "image_unreadable");
    assert_eq!(streamed(b"<html>nope</html>", 4, UPLOAD_LIMITS).unwrap_err().code, "unsupported_image_type");
    assert_eq!(streamed(&[], 4, UPLOAD_LIMITS).unwrap_err().code, "unsupported_image_type");
}
