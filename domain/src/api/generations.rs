//! `/api/generations`: a generation as callers see it, the 202 of a start, the gallery's page, and the bodies of
//! share and multi-delete.

use serde::{Deserialize, Serialize};

use crate::generation::{BatchId, GenerationId, GenerationStatus, ImageId, UploadId};

/// One generation (one image). Share links appear only while sharing is on.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Generation"))]
pub struct GenerationView<'a> {
    #[cfg_attr(test, schemars(example = &"gen_0123456789abcdefghjkmnpqrs"))]
    pub id: &'a GenerationId,
    pub status: GenerationStatus,
    // The UI's one classification of a status: it keeps no list of its own.
    /// True while `queued` or `running`.
    pub in_progress: bool,
    pub prompt: &'a str,
    pub model: &'a str,
    /// The model's display name; null if it left the catalogue.
    pub model_name: Option<&'a str>,
    pub aspect_ratio: &'a str,
    pub quality: Option<&'a str>,
    pub reference_upload_ids: &'a [UploadId],
    /// Shared by the generations one request started (one per image); null for older ones.
    pub batch_id: Option<&'a BatchId>,
    pub reference_image_ids: &'a [ImageId],
    /// The references that still exist, uploads first, with a link their owner can view.
    pub references: Vec<ReferenceView>,
    /// Credits charged for this generation.
    pub cost: i64,
    /// Unix time in milliseconds.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub failure: Option<FailureView<'a>>,
    pub shared: bool,
    /// The public page while shared (`GET /s/{token}`).
    pub share_page_url: Option<String>,
    pub share_shows_prompt: bool,
    pub images: Vec<ImageView<'a>>,
    pub favourite: bool,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Reference"))]
pub struct ReferenceView {
    pub id: String,
    pub kind: ReferenceKind,
    /// A path its owner can view (uploads: a signed link that expires).
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(inline))]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    Upload,
    Image,
}

/// Why a generation failed (it was refunded).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Failure"))]
pub struct FailureView<'a> {
    pub code: &'a str,
    pub message: Option<&'a str>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Image"))]
pub struct ImageView<'a> {
    #[cfg_attr(test, schemars(with = "ImageId"))]
    pub id: &'a str,
    pub width: i64,
    pub height: i64,
    pub content_type: &'a str,
    pub size_bytes: i64,
    // Each link carries the version of the bytes it serves, so it may be cached as immutable.
    /// The original (`/images/{id}?size=original&v=…`).
    pub url: String,
    /// A ~1280 px WebP rendition (the original until it is made).
    pub medium_url: String,
    /// A ~512 px WebP rendition (the original until it is made).
    pub preview_url: String,
    /// Public link to the medium image, while the generation is shared (share pages use it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "String"))]
    pub share_url: Option<String>,
}

/// The 202 of `POST /api/generations`: one generation per image, their total cost and the balance after.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "StartedGenerations"))]
pub struct Started<'a> {
    #[cfg_attr(test, schemars(length(min = 1)))]
    pub generations: Vec<GenerationView<'a>>,
    /// Credits charged for all of them.
    pub cost: i64,
    /// Your balance after the charge.
    pub credits: i64,
}

/// `GET /api/generations`: the gallery, newest first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct GenerationPage<'a> {
    pub generations: Vec<GenerationView<'a>>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// `POST /api/generations/{id}/share` with an optional `{ "show_prompt": bool }` (false when absent).
#[derive(Default, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    #[serde(default)]
    pub show_prompt: bool,
}

/// `POST /api/generations/delete`.
#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    #[cfg_attr(test, schemars(length(min = 1, max = crate::gallery::MAX_DELETE_IDS)))]
    pub ids: Vec<String>,
}

/// What a multi-delete did: the ids it deleted, and why each other was kept.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "DeleteResult"))]
pub struct DeleteView<'a> {
    pub deleted: &'a [String],
    pub kept: Vec<KeptView<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(inline))]
pub struct KeptView<'a> {
    pub id: &'a str,
    /// Why it was kept (e.g. `generation_in_progress`, `generation_not_found`).
    pub code: &'a str,
}
