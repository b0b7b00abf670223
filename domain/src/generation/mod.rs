//! Generation requests and the job's life: validation, cost, limits, polling schedule, and how it ends; the model
//! catalogue in `models`.

pub mod models;

use crate::error::{DomainError, ErrorKind};
use crate::generation::models::{Model, ModelCatalogue};

crate::resource_id!(
    /// One generation job.
    GenerationId,
    "gen"
);
crate::resource_id!(
    /// One stored output image.
    ImageId,
    "img"
);
crate::resource_id!(
    /// The generations one request admitted together (several images per request).
    BatchId,
    "bat"
);
crate::resource_id!(
    /// One uploaded reference image.
    UploadId,
    "upl"
);

// Rows and queue messages carry these ids back to us.

/// At most this many generations may be queued or running per user.
pub const MAX_IN_FLIGHT: i64 = 6;
/// At most this many generations may be started per user per minute.
pub const MAX_PER_MINUTE: i64 = 12;
/// A generation not finished this long after it started fails and is refunded.
pub const DEADLINE_SECS: i64 = 10 * 60;
/// Uploads kept per user.
pub const MAX_UPLOADS_PER_USER: i64 = 200;
/// Images a generation's cost pays for (the cost is per image and one is charged): any further results
/// APIPod returns are never downloaded or stored.
pub const IMAGES_PAID_PER_GENERATION: usize = 1;
/// Reference-image links handed to APIPod stay valid this long.
pub const REFERENCE_URL_LIFETIME_SECS: i64 = 60 * 60;

/// A prompt: trimmed, 1 to 4000 characters; line breaks allowed, other control characters not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt(String);

impl Prompt {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let prompt = raw.trim();
        if prompt.is_empty() {
            return Err(DomainError::invalid("prompt_empty", "Describe the image you want."));
        }
        if prompt.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::invalid("prompt_too_long", "Prompts must be at most 4000 characters."));
        }
        if prompt.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid(
                "prompt_invalid_characters",
                "Prompts must not contain control characters.",
            ));
        }
        Ok(Self(prompt.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a client asks for, before validation.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GenerationRequest {
    /// Trimmed; at most 4000 characters (less for some models: `max_prompt_chars`).
    #[cfg_attr(test, schemars(length(min = 1, max = Prompt::MAX_CHARS)))]
    pub prompt: String,
    /// A model id from `GET /api/models`.
    pub model: String,
    /// One of the model's `aspect_ratios`.
    pub aspect_ratio: String,
    /// One of the model's `qualities`; its default when absent.
    #[serde(default)]
    pub quality: Option<String>,
    /// Your uploads to use as references.
    #[serde(default)]
    pub reference_upload_ids: Vec<String>,
    /// Images of the caller's own generations to use as references (ownership is checked in D1).
    #[serde(default)]
    #[cfg_attr(test, schemars(description = "Images of your generations to use as references."))]
    pub reference_image_ids: Vec<String>,
    /// How many images (one generation each); 1 when absent.
    #[serde(default)]
    #[cfg_attr(test, schemars(range(min = 1, max = MAX_IMAGES_PER_REQUEST)))]
    pub n: Option<i64>,
}

/// A request that passed every rule; ownership of the references is checked where they live (D1).
#[derive(Debug, Clone)]
pub struct ValidGeneration<'a> {
    pub prompt: Prompt,
    pub model: &'a Model,
    pub aspect_ratio: AspectRatio,
    pub quality: Option<Quality>,
    pub references: Vec<UploadId>,
    pub image_references: Vec<ImageId>,
    /// Credits for one image (one generation).
    pub cost: i64,
    pub count: ImageCount,
}

impl ValidGeneration<'_> {
    /// Reference images switch to the model's edit variant.
    pub fn apipod_model(&self) -> &str {
        if self.references.is_empty() && self.image_references.is_empty() {
            &self.model.apipod_model
        } else {
            self.model.edit_model.as_deref().unwrap_or(&self.model.apipod_model)
        }
    }

    /// What all the requested images cost together.
    pub fn total_cost(&self) -> i64 {
        self.cost * i64::from(self.count.tasks())
    }

    /// What the request asks of admission, to explain a refusal.
    pub fn asked(&self) -> Asked {
        Asked {
            uploads: self.references.len(),
            images: self.image_references.len(),
            generations: self.count.tasks(),
            cost: self.total_cost(),
        }
    }
}

pub fn validate<'a>(
    request: &GenerationRequest,
    models: &'a ModelCatalogue,
) -> Result<ValidGeneration<'a>, DomainError> {
    let prompt = Prompt::parse(&request.prompt)?;
    let count = ImageCount::parse(request.n)?;
    let model =
        models.by_id(&request.model).ok_or_else(|| DomainError::invalid("unknown_model", "There is no such model."))?;
    if let Some(max) = model.max_prompt_chars {
        if prompt.as_str().chars().count() > max as usize {
            return Err(DomainError::invalid(
                "prompt_too_long",
                format!("{} takes prompts of at most {max} characters.", model.name),
            ));
        }
    }
    if !model.aspect_ratios.contains(&request.aspect_ratio) {
        return Err(DomainError::invalid(
            "unsupported_aspect_ratio",
            format!("{} supports aspect ratios {}.", model.name, model.aspect_ratios.join(", ")),
        ));
    }
    if let Some(quality) = &request.quality {
        if !model.qualities.contains(quality) {
            return Err(DomainError::invalid("unsupported_quality", "This model does not offer that quality."));
        }
    }
    // APIPod's documented default is sent explicitly, so what we charge for is what was asked for.
    let quality = request.quality.clone().or_else(|| model.default_quality().map(str::to_owned));
    if request.reference_upload_ids.len() + request.reference_image_ids.len() > model.max_reference_images as usize {
        return Err(DomainError::invalid(
            "too_many_references",
            format!("{} accepts at most {} reference images.", model.name, model.max_reference_images),
        ));
    }
    let mut references: Vec<UploadId> = Vec::with_capacity(request.reference_upload_ids.len());
    for raw in &request.reference_upload_ids {
        let id = UploadId::parse(raw).ok_or_else(|| {
            DomainError::new(ErrorKind::NotFound, "upload_not_found", "A reference image does not exist.")
        })?;
        if references.contains(&id) {
            return Err(DomainError::invalid("duplicate_reference", "Each reference image may be used once."));
        }
        references.push(id);
    }
    let mut image_references: Vec<ImageId> = Vec::with_capacity(request.reference_image_ids.len());
    for raw in &request.reference_image_ids {
        let id = ImageId::parse(raw).ok_or_else(image_not_found)?;
        if image_references.contains(&id) {
            return Err(DomainError::invalid("duplicate_reference", "Each reference image may be used once."));
        }
        image_references.push(id);
    }
    Ok(ValidGeneration {
        prompt,
        model,
        aspect_ratio: AspectRatio::trusted(request.aspect_ratio.as_str()),
        cost: i64::from(model.credits_for(quality.as_deref())),
        quality: quality.map(Quality::trusted),
        references,
        image_references,
        count,
    })
}

/// A generation that does not exist or is someone else's (indistinguishable on purpose).
pub fn not_found() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "generation_not_found", "There is no such generation.")
}

/// Why a delete removed nothing: the caller's generation is still running (409), or there is none (404).
pub fn undeletable(still_exists: bool) -> DomainError {
    if still_exists {
        DomainError::new(
            ErrorKind::Conflict,
            "generation_in_progress",
            "This generation is still running; delete it once it has finished.",
        )
    } else {
        not_found()
    }
}

/// A finished generation whose image is a reference of one still running: its object stays until that ends.
pub fn in_use_as_reference() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "generation_in_use",
        "An image of this generation is a reference for one still running; delete it once that has finished.",
    )
}

/// The caller already stores `MAX_UPLOADS_PER_USER` reference images.
pub fn upload_quota_exceeded() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "upload_quota_exceeded",
        "You have reached the limit of stored reference images.",
    )
}

mod batch;
pub use batch::*;

mod status;
pub use status::*;

mod outcome;
pub use outcome::*;

mod stages;
pub use stages::{AdmittedBatch, AdmittedGeneration, AdmittedMember, AspectRatio, GenerationSpec, ModelId, Quality};

#[cfg(test)]
mod tests;
