//! JSON Schemas for the wire types whose serde is written by hand (ids, string-backed states), so the generated
//! document says what those impls really accept and write.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use crate::generation::GenerationStatus;
use crate::images::ImageFormat;

/// What `Model::aspect_ratios` looks like (an attribute takes no array literal).
pub(crate) const ASPECT_RATIOS_EXAMPLE: [&str; 2] = ["1:1", "16:9"];

/// A `resource_id!` type: its prefix, then 26 lower-case Crockford base32 characters.
pub(crate) fn resource_id(prefix: &str) -> Schema {
    json_schema!({ "type": "string", "pattern": format!("^{prefix}_[0-9a-hjkmnp-tv-z]{{26}}$") })
}

/// The content types an upload can have: the formats the bytes are recognised as.
pub(super) fn image_content_type(_: &mut SchemaGenerator) -> Schema {
    // Exhaustive, so a new format does not compile until it is listed below too.
    let every = |format: ImageFormat| match format {
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Webp => format.content_type(),
    };
    let types = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp].map(every);
    json_schema!({ "type": "string", "enum": types })
}

impl JsonSchema for GenerationStatus {
    fn schema_name() -> Cow<'static, str> {
        "GenerationStatus".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let values: Vec<&str> = Self::ALL.iter().map(|status| status.as_str()).collect();
        json_schema!({
            "type": "string",
            "enum": values,
            "description": "`queued` (charged, not yet with the provider), `running`, `succeeded`, or `failed` (refunded)."
        })
    }
}
