//! One value per stage of a generation after validation: the admitted batch (the ids it was given, what it asks
//! APIPod for, when), built once at admission and passed whole to the store, to the first submission and to an
//! Idempotency-Key replay; and each admitted generation, which a submission retry rebuilds from its row.

use serde::{Deserialize, Serialize};

use crate::billing::ledger::LedgerEntryId;
use crate::generation::{BatchId, GenerationId, ImageId, UploadId, ValidGeneration};
use crate::ids::RandomSource;
use crate::time::UnixMillis;

macro_rules! catalogue_term {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A value the catalogue offers (validation) or that was stored after it did.
            pub fn trusted(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

catalogue_term!(
    /// A model of our catalogue, by its id (`seedream-4`): what the person chose and is charged for.
    ModelId
);
catalogue_term!(
    /// An aspect ratio the chosen model supports (`16:9`).
    AspectRatio
);
catalogue_term!(
    /// A quality the chosen model offers (`2K`), or its default made explicit.
    Quality
);

/// What every generation of a batch asks APIPod for, and what each one costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationSpec {
    pub prompt: String,
    pub model: ModelId,
    /// APIPod's model: the edit variant when there are references.
    pub apipod_model: String,
    pub aspect_ratio: AspectRatio,
    pub quality: Option<Quality>,
    pub references: Vec<UploadId>,
    pub image_references: Vec<ImageId>,
    /// Credits for one image (one generation).
    pub cost: i64,
}

/// One image of an admitted batch: its generation and the ledger entry that charges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmittedMember {
    pub id: GenerationId,
    pub debit: LedgerEntryId,
}

/// The generations one request asks for (one per image), given their ids at admission: written whole by the
/// store (all or none), submitted one by one, and stored as an Idempotency-Key's answer so a replay rebuilds the
/// same 202.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmittedBatch {
    pub batch_id: BatchId,
    /// At least one; the first is the one whose guard decides for all.
    pub members: Vec<AdmittedMember>,
    pub spec: GenerationSpec,
    pub admitted_at: UnixMillis,
}

impl AdmittedBatch {
    /// Gives a validated request its ids: one generation and one debit per task.
    pub fn new(valid: &ValidGeneration<'_>, random: &mut dyn RandomSource, now: UnixMillis) -> Self {
        let batch_id = BatchId::generate(random);
        let members = (0..valid.count.tasks())
            .map(|_| AdmittedMember { id: GenerationId::generate(random), debit: LedgerEntryId::generate(random) })
            .collect();
        let spec = GenerationSpec {
            prompt: valid.prompt.as_str().to_owned(),
            model: ModelId::trusted(valid.model.id.as_str()),
            apipod_model: valid.apipod_model().to_owned(),
            aspect_ratio: valid.aspect_ratio.clone(),
            quality: valid.quality.clone(),
            references: valid.references.clone(),
            image_references: valid.image_references.clone(),
            cost: valid.cost,
        };
        Self { batch_id, members, spec, admitted_at: now }
    }

    /// The member whose insert carries the batch's guard (and whose id an Idempotency-Key claims).
    pub fn first(&self) -> &AdmittedMember {
        &self.members[0]
    }

    /// What all the images cost together.
    pub fn total_cost(&self) -> i64 {
        self.spec.cost * self.members.len() as i64
    }

    /// Each member as the generation its submission starts.
    pub fn generations(&self) -> impl Iterator<Item = AdmittedGeneration> + '_ {
        self.members.iter().map(|member| AdmittedGeneration {
            id: member.id.clone(),
            spec: self.spec.clone(),
            admitted_at: self.admitted_at,
        })
    }
}

/// One admitted (already charged) generation: everything its submission to APIPod is built from, owned so it
/// outlives the request; a retry reads the same value back from the generation's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmittedGeneration {
    pub id: GenerationId,
    pub spec: GenerationSpec,
    /// Reference links expire a fixed time after this, so every attempt sends the same body.
    pub admitted_at: UnixMillis,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::models::ModelCatalogue;
    use crate::generation::{validate, GenerationRequest};

    /// Randomness that never repeats a byte sequence, so every id differs.
    struct Counting(u8);

    impl RandomSource for Counting {
        fn fill(&mut self, dest: &mut [u8]) {
            for byte in dest.iter_mut() {
                self.0 = self.0.wrapping_add(1);
                *byte = self.0;
            }
        }
    }

    fn counting_random() -> Counting {
        Counting(0)
    }

    fn models() -> ModelCatalogue {
        let catalogue = r#"[{"id":"nano-banana","name":"Nano Banana","apipod_model":"nano-banana","credits_per_image":2,"aspect_ratios":["1:1"]}]"#;
        ModelCatalogue::parse(catalogue).unwrap()
    }

    fn request(n: i64, references: &[&str]) -> GenerationRequest {
        GenerationRequest {
            prompt: "  a lighthouse at dusk ".into(),
            model: "nano-banana".into(),
            aspect_ratio: "1:1".into(),
            quality: None,
            reference_upload_ids: references.iter().map(|r| r.to_string()).collect(),
            reference_image_ids: Vec::new(),
            n: Some(n),
        }
    }

    #[test]
    fn a_batch_gets_one_generation_and_one_debit_per_image_with_distinct_ids() {
        let models = models();
        let valid = validate(&request(4, &[]), &models).unwrap();
        let batch = AdmittedBatch::new(&valid, &mut counting_random(), UnixMillis(1_000));
        assert_eq!(batch.members.len(), 4);
        let mut ids: Vec<_> = batch.members.iter().map(|m| m.id.as_str().to_owned()).collect();
        ids.extend(batch.members.iter().map(|m| m.debit.as_str().to_owned()));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 8, "every id is fresh");
        assert_eq!(batch.total_cost(), valid.total_cost());
        assert_eq!(batch.spec.prompt, "a lighthouse at dusk");
        assert_eq!(batch.first().id, batch.members[0].id);
        assert!(batch.generations().all(|g| g.spec == batch.spec && g.admitted_at == UnixMillis(1_000)));
    }

    #[test]
    fn the_stored_answer_reads_back_as_the_same_batch() {
        let models = models();
        let valid = validate(&request(2, &[]), &models).unwrap();
        let batch = AdmittedBatch::new(&valid, &mut counting_random(), UnixMillis(5));
        let stored = serde_json::to_string(&batch).unwrap();
        assert_eq!(serde_json::from_str::<AdmittedBatch>(&stored).unwrap(), batch);
        assert!(stored.contains(r#""model":"nano-banana""#), "terms are stored as plain strings: {stored}");
    }
}
