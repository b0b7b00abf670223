//! Unit tests of image sniffing, bounds, byte ranges and ETags; `padded_png` is shared with other tests.

use super::*;

/// A minimal PNG header (IHDR, then IEND); checksums are not verified by sniffing.
fn png(width: u32, height: u32) -> Vec<u8> {
    padded_png(width, height, 0)
}

/// The same PNG with a `tEXt` chunk of `padding` bytes after IHDR (none for 0), so it can span many stream chunks.
pub(crate) fn padded_png(width: u32, height: u32, padding: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    if padding > 0 {
        bytes.extend_from_slice(&(padding as u32).to_be_bytes());
        bytes.extend_from_slice(b"tEXt");
        bytes.extend(std::iter::repeat_n(b'x', padding));
        bytes.extend_from_slice(&[0, 0, 0, 0]);
    }
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes.extend_from_slice(b"IEND");
    bytes.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    bytes
}

fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

#[test]
fn png_and_jpeg_are_recognised_by_their_bytes_with_dimensions() {
    assert_eq!(
        inspect(&png(640, 480), UPLOAD_LIMITS).unwrap(),
        ImageInfo { format: ImageFormat::Png, width: 640, height: 480 }
    );
    assert_eq!(
        inspect(&jpeg(320, 200), UPLOAD_LIMITS).unwrap(),
        ImageInfo { format: ImageFormat::Jpeg, width: 320, height: 200 }
    );
}

#[test]
fn text_pretending_to_be_an_image_is_unsupported() {
    let error = inspect(b"this is a text file named cat.png, honest", UPLOAD_LIMITS).unwrap_err();
    assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::UnsupportedMediaType, "unsupported_image_type"));
    assert_eq!(inspect(b"GIF89a....", UPLOAD_LIMITS).unwrap_err().code, "unsupported_image_type");
}

#[test]
fn truncated_images_are_unprocessable() {
    let full = png(64, 64);
    let error = inspect(&full[..full.len() - 6], UPLOAD_LIMITS).unwrap_err();
    assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::Unprocessable, "image_unreadable"));
    let full = jpeg(64, 64);
    assert_eq!(inspect(&full[..full.len() - 1], UPLOAD_LIMITS).unwrap_err().code, "image_unreadable");
    assert_eq!(inspect(&png(64, 64)[..10], UPLOAD_LIMITS).unwrap_err().code, "image_unreadable");
}

#[test]
fn oversized_files_and_dimensions_are_refused() {
    let error = inspect(&png(64, 64), ImageLimits { max_bytes: 10, ..UPLOAD_LIMITS }).unwrap_err();
    assert_eq!((error.kind, error.code.as_ref()), (ErrorKind::PayloadTooLarge, "image_too_large"));
    let wide = inspect(&png(9000, 64), UPLOAD_LIMITS).unwrap_err();
    assert_eq!(wide.code, "image_dimensions_out_of_range");
    assert_eq!(wide.message, "Images must be 16 to 8192 pixels wide and high.");
    assert_eq!(inspect(&png(8, 64), UPLOAD_LIMITS).unwrap_err().code, "image_dimensions_out_of_range");
}

#[test]
fn results_may_be_larger_than_uploads_up_to_their_own_bounds() {
    // Nano Banana 2 at 4K 8:1 and 1:8: 16 MP, longer than any upload may be.
    for (width, height) in [(11648, 1456), (1456, 11648)] {
        assert_eq!(inspect(&png(width, height), UPLOAD_LIMITS).unwrap_err().code, "image_dimensions_out_of_range");
        let info = inspect(&png(width, height), RESULT_LIMITS).unwrap();
        assert_eq!((info.width, info.height), (width, height));
    }
    assert_eq!(inspect(&png(16385, 64), RESULT_LIMITS).unwrap_err().code, "image_dimensions_out_of_range");
    assert!(RESULT_LIMITS.max_bytes > UPLOAD_LIMITS.max_bytes);
    let over = ImageLimits { max_bytes: 30, ..RESULT_LIMITS };
    assert_eq!(inspect(&png(11648, 1456), over).unwrap_err().code, "image_too_large");
}

#[test]
fn webp_length_must_match_its_header() {
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&22u32.to_le_bytes());
    webp.extend_from_slice(b"WEBPVP8X");
    webp.extend_from_slice(&10u32.to_le_bytes());
    webp.extend_from_slice(&[0, 0, 0, 0]);
    webp.extend_from_slice(&[99, 0, 0, 49, 0, 0]);
    let info = inspect(&webp, UPLOAD_LIMITS).unwrap();
    assert_eq!((info.format, info.width, info.height), (ImageFormat::Webp, 100, 50));
    assert_eq!(inspect(&webp[..webp.len() - 2], UPLOAD_LIMITS).unwrap_err().code, "image_unreadable");
}

#[test]
fn ranges_are_resolved_against_the_size() {
    assert_eq!(parse_range(None, 100), Ok(None));
    assert_eq!(parse_range(Some("bytes=0-9"), 100), Ok(Some(ByteRange { offset: 0, length: 10 })));
    assert_eq!(parse_range(Some("bytes=90-"), 100), Ok(Some(ByteRange { offset: 90, length: 10 })));
    assert_eq!(parse_range(Some("bytes=-10"), 100), Ok(Some(ByteRange { offset: 90, length: 10 })));
    assert_eq!(parse_range(Some("bytes=50-500"), 100), Ok(Some(ByteRange { offset: 50, length: 50 })));
    assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Ok(None));
    for bad in ["bytes=100-", "bytes=5-2", "bytes=x-y", "bytes=-0", "bytes=-"] {
        assert_eq!(parse_range(Some(bad), 100), Err(UnsatisfiableRange), "{bad}");
    }
}

#[test]
fn if_none_match_matches_our_etag_in_a_list_or_a_star() {
    let etag = "\"abc123\"";
    assert!(etag_matches(Some("\"abc123\""), etag));
    assert!(etag_matches(Some("\"zzz\", \"abc123\""), etag));
    assert!(etag_matches(Some(" * "), etag));
    assert!(!etag_matches(Some("\"abc12\""), etag));
    assert!(!etag_matches(Some("W/\"abc123\""), etag), "weak tags are not ours");
    assert!(!etag_matches(Some(""), etag));
    assert!(!etag_matches(None, etag));
}

#[test]
fn content_ranges_name_the_last_byte_inclusively_and_the_size() {
    let range = parse_range(Some("bytes=0-99"), 1000).unwrap().unwrap();
    assert_eq!(range.content_range(1000), "bytes 0-99/1000");
    let tail = parse_range(Some("bytes=-1"), 1000).unwrap().unwrap();
    assert_eq!(tail.content_range(1000), "bytes 999-999/1000");
    assert_eq!(UnsatisfiableRange::content_range(1000), "bytes */1000");
}
