//! The generation model catalogue (`MODELS`): APIPod model ids, credit cost, aspect ratios, reference limits.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub id: String,
    pub name: String,
    /// APIPod model for text-to-image.
    #[serde(skip_serializing)]
    pub apipod_model: String,
    /// APIPod model used when reference images are given (image editing); absent means none allowed.
    #[serde(default, skip_serializing)]
    pub edit_model: Option<String>,
    pub credits_per_image: u32,
    pub aspect_ratios: Vec<String>,
    #[serde(default)]
    pub qualities: Vec<String>,
    #[serde(default)]
    pub max_reference_images: u32,
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
        ] {
            assert!(ModelCatalogue::parse(bad).is_err(), "{bad}");
        }
    }
}
