//! The generation model catalogue (`MODELS`): APIPod model ids, credit cost, aspect ratios, reference limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A generation model and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[cfg_attr(test, schemars(example = "seedream-v4.5"))]
    pub id: String,
    #[cfg_attr(test, schemars(example = "Seedream 4.5"))]
    pub name: String,
    /// APIPod model for text-to-image.
    #[serde(skip_serializing)]
    pub apipod_model: String,
    /// APIPod model used when reference images are given (image editing); absent means none allowed.
    #[serde(default, skip_serializing)]
    pub edit_model: Option<String>,
    pub credits_per_image: u32,
    #[cfg_attr(test, schemars(example = crate::api::schema::ASPECT_RATIOS_EXAMPLE))]
    pub aspect_ratios: Vec<String>,
    /// APIPod `quality` values offered; empty means the model has none.
    #[serde(default)]
    #[cfg_attr(test, schemars(description = "Empty when the model has no quality setting."))]
    pub qualities: Vec<String>,
    /// The quality sent when the user picks none (APIPod's documented default); the first one if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "String"))]
    #[cfg_attr(
        test,
        schemars(description = "The quality used when none is given; when absent, the first of `qualities`.")
    )]
    pub default_quality: Option<String>,
    /// Credits for a quality that costs other than `credits_per_image` (4K costs more upstream).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        test,
        schemars(description = "Credits per image for qualities that cost other than `credits_per_image`.")
    )]
    pub quality_credits: BTreeMap<String, u32>,
    /// A model's own prompt limit when below the general 4000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "u32", range(min = 1)))]
    pub max_prompt_chars: Option<u32>,
    #[serde(default)]
    pub max_reference_images: u32,
}

impl Model {
    pub fn default_quality(&self) -> Option<&str> {
        self.default_quality.as_deref().or_else(|| self.qualities.first().map(String::as_str))
    }

    /// What one image costs at `quality`.
    pub fn credits_for(&self, quality: Option<&str>) -> u32 {
        quality.and_then(|q| self.quality_credits.get(q)).copied().unwrap_or(self.credits_per_image)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCatalogue {
    models: Vec<Model>,
}

impl ModelCatalogue {
    pub fn parse(json: &str) -> Result<Self, &'static str> {
        let models: Vec<Model> = serde_json::from_str(json)
            .map_err(|_| "must be a JSON array of models {id, name, apipod_model, credits_per_image, aspect_ratios}")?;
        if models.is_empty() {
            return Err("must list at least one model");
        }
        for (i, model) in models.iter().enumerate() {
            if model.id.is_empty() || model.apipod_model.is_empty() || models[..i].iter().any(|m| m.id == model.id) {
                return Err("has a model with an empty or duplicate id, or no apipod_model");
            }
            if model.credits_per_image == 0 || model.credits_per_image > 10_000 {
                return Err("has a model whose credits_per_image is not 1 to 10000");
            }
            if model.aspect_ratios.is_empty() {
                return Err("has a model without aspect ratios");
            }
            if model.max_reference_images > 0 && model.edit_model.is_none() {
                return Err("has a model that takes reference images but names no edit_model");
            }
            if model.default_quality.as_ref().is_some_and(|q| !model.qualities.contains(q)) {
                return Err("has a model whose default_quality is not one of its qualities");
            }
            if model.quality_credits.keys().any(|q| !model.qualities.contains(q)) {
                return Err("has a model with quality_credits for a quality it does not offer");
            }
            if model.quality_credits.values().any(|&c| c == 0 || c > 10_000) {
                return Err("has a model whose quality_credits are not 1 to 10000");
            }
            if model.max_prompt_chars.is_some_and(|max| max == 0 || max > 4000) {
                return Err("has a model whose max_prompt_chars is not 1 to 4000");
            }
        }
        Ok(Self { models })
    }

    pub fn all(&self) -> &[Model] {
        &self.models
    }

    pub fn by_id(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"[{"id":"seedream-v4.5","name":"Seedream","apipod_model":"seedream-v4.5","edit_model":"seedream-v4.5-edit",
        "credits_per_image":4,"aspect_ratios":["1:1","16:9"],"max_reference_images":4}]"#;

    #[test]
    fn a_valid_catalogue_parses_and_hides_apipod_ids() {
        let catalogue = ModelCatalogue::parse(SAMPLE).unwrap();
        assert_eq!(catalogue.by_id("seedream-v4.5").unwrap().credits_per_image, 4);
        let public = serde_json::to_string(catalogue.all()).unwrap();
        assert!(!public.contains("apipod_model") && !public.contains("edit_model"));
    }

    #[test]
    fn invalid_catalogues_are_refused() {
        for bad in [
            "[]",
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":0,"aspect_ratios":["1:1"]}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":[]}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"],"max_reference_images":2}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"],"qualities":["1K"],"default_quality":"2K"}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"],"qualities":["1K"],"quality_credits":{"4K":3}}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"],"qualities":["4K"],"quality_credits":{"4K":0}}]"#,
            r#"[{"id":"m","name":"M","apipod_model":"x","credits_per_image":1,"aspect_ratios":["1:1"],"max_prompt_chars":0}]"#,
        ] {
            assert!(ModelCatalogue::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quality_picks_the_default_and_its_own_price() {
        let catalogue = ModelCatalogue::parse(
            r#"[{"id":"nb","name":"NB","apipod_model":"nano-banana-2","credits_per_image":2,"aspect_ratios":["1:1"],
            "qualities":["1K","2K","4K"],"default_quality":"1K","quality_credits":{"4K":5}}]"#,
        )
        .unwrap();
        let model = catalogue.by_id("nb").unwrap();
        assert_eq!(model.default_quality(), Some("1K"));
        assert_eq!((model.credits_for(Some("1K")), model.credits_for(Some("4K")), model.credits_for(None)), (2, 5, 2));
        let public = serde_json::to_value(catalogue.all()).unwrap();
        assert_eq!(public[0]["quality_credits"]["4K"], 5, "the studio shows what each quality costs");
    }
}
