//! `POST /api/uploads`: what the uploader sees of a stored reference image.

use serde::Serialize;

use crate::generation::UploadId;

/// A stored reference image (never where it is kept).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Upload"))]
pub struct UploadView<'a> {
    #[cfg_attr(test, schemars(example = &"upl_0123456789abcdefghjkmnpqrs"))]
    pub id: &'a UploadId,
    /// What the bytes are, whatever the request declared.
    #[cfg_attr(test, schemars(schema_with = "super::schema::image_content_type"))]
    pub content_type: &'a str,
    #[cfg_attr(test, schemars(range(min = 1)))]
    pub size_bytes: i64,
    #[cfg_attr(test, schemars(regex(pattern = r"^[0-9a-f]{64}$")))]
    pub sha256: &'a str,
    #[cfg_attr(test, schemars(range(min = 1)))]
    pub width: i64,
    #[cfg_attr(test, schemars(range(min = 1)))]
    pub height: i64,
    /// Unix time in milliseconds.
    pub created_at: i64,
}
