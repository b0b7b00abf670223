//! Unit tests of image sizes: names, rendition dimensions, versioned paths and caching, rendition retries.

use super::*;
use crate::error::ErrorKind;

#[test]
fn size_names_parse_and_an_unknown_one_is_a_named_400() {
    assert_eq!(ImageSize::parse(None).unwrap(), ImageSize::Original);
    assert_eq!(ImageSize::parse(Some("original")).unwrap(), ImageSize::Original);
    assert_eq!(ImageSize::parse(Some("preview")).unwrap(), ImageSize::Preview);
    assert_eq!(ImageSize::parse(Some("medium")).unwrap(), ImageSize::Medium);
    for bad in ["", "large", "Preview", "thumb", "medium "] {
        let error = ImageSize::parse(Some(bad)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::BadRequest, "{bad:?}");
        assert_eq!(error.code, "unknown_image_size");
    }
    for size in [ImageSize::Preview, ImageSize::Medium, ImageSize::Original] {
        assert_eq!(ImageSize::parse(Some(size.as_str())).unwrap(), size);
    }
}

#[test]
fn renditions_are_made_largest_first_at_512_and_1280() {
    assert_eq!(RENDITIONS.map(|s| s.long_side()), [Some(1280), Some(512)]);
    assert_eq!(ImageSize::Original.long_side(), None);
}

#[test]
fn target_dimensions_keep_the_aspect_and_never_upscale() {
    assert_eq!(target_dimensions(2048, 2048, 512), (512, 512));
    assert_eq!(target_dimensions(4096, 2304, 1280), (1280, 720));
    assert_eq!(target_dimensions(2304, 4096, 1280), (720, 1280));
    assert_eq!(target_dimensions(2048, 1536, 512), (512, 384));
    assert_eq!(target_dimensions(400, 300, 512), (400, 300), "smaller originals keep their size");
    assert_eq!(target_dimensions(512, 100, 512), (512, 100));
    assert_eq!(target_dimensions(8192, 16, 512), (512, 1), "at least one pixel");
    assert_eq!(target_dimensions(3000, 1000, 512), (512, 171), "rounded to the nearest pixel");
}

#[test]
fn a_version_is_the_etag_start_without_quotes() {
    assert_eq!(version_of("\"0123456789abcdef0123\""), "0123456789abcdef");
    assert_eq!(version_of("W/\"abc\""), "abc");
    assert_eq!(version_of("\"a-b\""), "ab", "only URL-safe characters");
}

#[test]
fn versioned_paths_name_the_size_and_the_version_of_the_bytes_served() {
    let etag = Some("\"feedface\"");
    assert_eq!(versioned_path("img_1", ImageSize::Original, etag), "/images/img_1?v=feedface");
    assert_eq!(versioned_path("img_1", ImageSize::Preview, etag), "/images/img_1?size=preview&v=feedface");
    assert_eq!(versioned_path("img_1", ImageSize::Medium, None), "/images/img_1?size=medium");
    assert_eq!(versioned_path("img_1", ImageSize::Original, Some("\"\"")), "/images/img_1");
}

#[test]
fn only_the_matching_version_of_the_served_bytes_is_immutable() {
    let etag = "\"feedface\"";
    assert_eq!(cache_control(Some("feedface"), etag, false), IMMUTABLE);
    assert_eq!(cache_control(Some("0ldversion"), etag, false), DAILY, "a stale version still revalidates");
    assert_eq!(cache_control(None, etag, false), DAILY);
    assert_eq!(cache_control(Some(""), "\"\"", false), DAILY);
    assert_eq!(cache_control(Some("feedface"), etag, true), STAND_IN, "the original standing in for a rendition");
}

#[test]
fn failed_renditions_are_retried_with_backoff_then_given_up() {
    let now = UnixMillis(1_000_000);
    assert_eq!(next_rendition_try(0, now), Some(now));
    assert_eq!(next_rendition_try(1, now), Some(now.plus_secs(60)));
    assert_eq!(next_rendition_try(2, now), Some(now.plus_secs(240)));
    assert_eq!(next_rendition_try(4, now), Some(now.plus_secs(3840)));
    assert_eq!(next_rendition_try(RENDITION_TRIES, now), None, "the original alone is served from then on");
    assert_eq!(next_rendition_try(u32::MAX, now), None);
}

#[test]
fn a_reference_over_the_edit_models_cap_is_sent_as_its_medium() {
    const MIB: u64 = 1024 * 1024;
    assert_eq!(REFERENCE_MAX_BYTES, 10 * MIB);
    assert_eq!(reference_size(10 * MIB, true), ImageSize::Original, "at the cap: the original");
    assert_eq!(reference_size(10 * MIB + 1, true), ImageSize::Medium);
    assert_eq!(reference_size(22 * MIB, true), ImageSize::Medium, "a 4K PNG result");
    assert_eq!(reference_size(22 * MIB, false), ImageSize::Original, "no medium yet: APIPod decides (and refuses)");
    assert_eq!(reference_size(MIB, false), ImageSize::Original);
}
