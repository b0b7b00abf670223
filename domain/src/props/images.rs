//! Uploaded and fetched bytes: image sniffing and the streaming check agree, never panic, and keep their bounds.

use proptest::prelude::*;

use crate::images::stream::StreamCheck;
use crate::images::tests::padded_png;
use crate::images::{inspect, sha256_hex, ImageFormat, ImageInfo, ImageLimits, MIN_DIMENSION, UPLOAD_LIMITS};

const LIMITS: ImageLimits = ImageLimits { max_bytes: 1024 * 1024, ..UPLOAD_LIMITS };
const MAX_DIMENSION: u32 = UPLOAD_LIMITS.max_side;

/// Bytes that start like each accepted format (so the sniffers and size readers run), or anything at all.
fn image_like() -> impl Strategy<Value = Vec<u8>> {
    let magic = prop_oneof![
        Just(b"\x89PNG\r\n\x1a\n".to_vec()),
        Just(vec![0xFF, 0xD8, 0xFF]),
        Just(b"RIFF\0\0\0\0WEBPVP8 ".to_vec()),
        Just(b"RIFF\x20\0\0\0WEBPVP8X".to_vec()),
        Just(Vec::new()),
    ];
    (magic, proptest::collection::vec(any::<u8>(), 0..600)).prop_map(|(mut head, rest)| {
        head.extend(rest);
        head
    })
}

/// The streaming check over `bytes` cut at the given points.
fn streamed(bytes: &[u8], cuts: &[usize]) -> Result<crate::images::stream::StreamedImage, crate::DomainError> {
    let mut check = StreamCheck::new(LIMITS);
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(bytes.len());
    points.sort_unstable();
    let mut start = 0;
    for end in points {
        check.feed(&bytes[start..end])?;
        start = end;
    }
    check.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_accepted_image_has_dimensions_in_bounds(bytes in image_like()) {
        if let Ok(info) = inspect(&bytes, LIMITS) {
            prop_assert!((MIN_DIMENSION..=MAX_DIMENSION).contains(&info.width));
            prop_assert!((MIN_DIMENSION..=MAX_DIMENSION).contains(&info.height));
        }
    }

    #[test]
    fn streaming_in_any_chunks_decides_as_the_whole_image_does(bytes in image_like(), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let whole = inspect(&bytes, LIMITS);
        let streamed = streamed(&bytes, &cuts);
        match (whole, streamed) {
            (Ok(info), Ok(image)) => {
                prop_assert_eq!(image.info, info);
                prop_assert_eq!(image.size_bytes, bytes.len());
                prop_assert_eq!(image.sha256, sha256_hex(&bytes));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.code, b.code),
            (a, b) => prop_assert!(false, "whole {:?} but streamed {:?}", a, b),
        }
    }

    #[test]
    fn a_png_we_build_is_read_back_at_its_size(width in MIN_DIMENSION..=MAX_DIMENSION, height in MIN_DIMENSION..=MAX_DIMENSION,
        padding in 0usize..2048, cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let bytes = padded_png(width, height, padding);
        let expected = ImageInfo { format: ImageFormat::Png, width, height };
        prop_assert_eq!(inspect(&bytes, LIMITS), Ok(expected));
        prop_assert_eq!(streamed(&bytes, &cuts).map(|image| image.info), Ok(expected));
    }

    #[test]
    fn a_cut_short_png_is_refused(width in MIN_DIMENSION..=MAX_DIMENSION, height in MIN_DIMENSION..=MAX_DIMENSION, padding in 0usize..256, keep in any::<usize>()) {
        let bytes = padded_png(width, height, padding);
        let keep = keep % bytes.len();
        prop_assert!(inspect(&bytes[..keep], LIMITS).is_err());
    }

    #[test]
    fn anything_over_the_cap_is_refused_as_too_large(extra in 1usize..64, bytes in image_like()) {
        let cap = bytes.len().saturating_sub(extra);
        prop_assume!(cap < bytes.len());
        prop_assert_eq!(inspect(&bytes, ImageLimits { max_bytes: cap, ..LIMITS }).unwrap_err().code, "image_too_large");
        let mut check = StreamCheck::new(ImageLimits { max_bytes: cap, ..LIMITS });
        prop_assert_eq!(check.feed(&bytes).unwrap_err().code, "image_too_large");
    }
}
