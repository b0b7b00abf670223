//! Several images per request: how many APIPod tasks (generations) they take, the admission limits for the whole
//! batch, and why a batch is refused.

use crate::error::{DomainError, ErrorKind};

use super::{MAX_IN_FLIGHT, MAX_PER_MINUTE};

/// Images one request may ask for.
pub const MAX_IMAGES_PER_REQUEST: u32 = 4;
/// Images one APIPod task makes, for every model in the catalogue: APIPod's documented request schemas have no
/// image-count parameter, so n images are n tasks, each its own generation (charged, ended and refunded alone).
pub const IMAGES_PER_TASK: u32 = 1;

/// How many images a request asks for: 1 to `MAX_IMAGES_PER_REQUEST` (absent means 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageCount(u32);

impl ImageCount {
    pub const ONE: Self = Self(1);

    pub fn parse(n: Option<i64>) -> Result<Self, DomainError> {
        match n.unwrap_or(1) {
            n @ 1..=4 => Ok(Self(n as u32)),
            _ => Err(DomainError::bad_request(
                "invalid_image_count",
                format!("Ask for 1 to {MAX_IMAGES_PER_REQUEST} images at a time."),
            )),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The APIPod tasks (one generation each) that make this many images.
    pub fn tasks(self) -> u32 {
        self.0.div_ceil(IMAGES_PER_TASK)
    }
}

/// The per-user limits for admitting `tasks` generations at once, as the counts already there must stay below
/// them: (in flight, started in the last minute). The whole batch fits or none of it is admitted.
pub fn admission_limits(tasks: u32) -> (i64, i64) {
    let tasks = i64::from(tasks);
    (MAX_IN_FLIGHT - tasks + 1, MAX_PER_MINUTE - tasks + 1)
}

/// What a refused request asked for, to explain the refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub uploads: usize,
    pub images: usize,
    /// Generations (tasks) the request would start.
    pub generations: u32,
    /// What they cost together.
    pub cost: i64,
}

/// What D1 saw when a request was refused admission (the insert guard failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub struct AdmissionFacts {
    pub references_owned: i64,
    #[serde(default)]
    pub images_owned: i64,
    pub credits: i64,
    pub in_flight: i64,
    pub recent: i64,
    /// When the recent generation was started whose leaving the last minute makes room for the whole batch (the
    /// oldest for one image; for n, the one n - 1 places newer): the per-minute limit's retry time.
    pub room_after: Option<i64>,
}

/// Why a refused request was refused, checked in the order a user can act on.
pub fn refusal(facts: &AdmissionFacts, asked: &Asked, now_ms: i64) -> DomainError {
    if facts.references_owned < asked.uploads as i64 {
        return DomainError::new(ErrorKind::NotFound, "upload_not_found", "A reference image does not exist.");
    }
    if facts.images_owned < asked.images as i64 {
        return image_not_found();
    }
    let cost = asked.cost;
    if facts.credits < 0 {
        return DomainError::new(
            ErrorKind::PaymentRequired,
            "credits_in_debt",
            format!(
                "Your balance is {} credits: a refund or dispute took back credits that were already spent. \
                 Buy credits to settle it, then generate again.",
                facts.credits
            ),
        )
        .with_details(serde_json::json!({ "balance": facts.credits, "cost": cost }));
    }
    if facts.credits < cost {
        return DomainError::new(
            ErrorKind::PaymentRequired,
            "insufficient_credits",
            format!(
                "This generation costs {cost} credits and you have {}. Buy more credits to continue.",
                facts.credits
            ),
        )
        .with_details(serde_json::json!({ "balance": facts.credits, "cost": cost }));
    }
    let (in_flight_below, _) = admission_limits(asked.generations);
    if facts.in_flight >= in_flight_below {
        return DomainError::new(
            ErrorKind::RateLimited,
            "too_many_in_flight",
            format!("At most {MAX_IN_FLIGHT} images can be in progress at once; wait for one to finish."),
        )
        .with_retry_after(5);
    }
    let wait_ms = facts.room_after.map_or(60_000, |started| started + 60_000 - now_ms).clamp(1_000, 60_000);
    DomainError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        format!("At most {MAX_PER_MINUTE} images per minute; try again shortly."),
    )
    .with_retry_after(u32::try_from((wait_ms + 999) / 1000).unwrap_or(60))
}

/// A reference image (a generated one) that does not exist or is someone else's.
pub fn image_not_found() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "image_not_found", "A reference image does not exist.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_four_images_are_one_task_each() {
        assert_eq!(ImageCount::parse(None).unwrap(), ImageCount::ONE);
        for n in 1..=4 {
            let count = ImageCount::parse(Some(n)).unwrap();
            assert_eq!((count.get(), count.tasks()), (n as u32, n as u32));
        }
        for bad in [0, 5, -1, i64::MAX] {
            assert_eq!(ImageCount::parse(Some(bad)).unwrap_err().code, "invalid_image_count");
        }
    }

    #[test]
    fn a_batch_is_admitted_only_if_all_of_it_fits_both_limits() {
        assert_eq!(admission_limits(1), (MAX_IN_FLIGHT, MAX_PER_MINUTE));
        let (in_flight, per_minute) = admission_limits(4);
        // 2 running + 4 = 6 fits; 3 running + 4 does not.
        assert!(2 < in_flight && 3 >= in_flight);
        assert!(MAX_PER_MINUTE - 4 < per_minute && MAX_PER_MINUTE - 3 >= per_minute);
    }

    #[test]
    fn refusals_count_images_and_name_what_is_missing() {
        let facts = AdmissionFacts {
            references_owned: 1,
            images_owned: 1,
            credits: 3,
            in_flight: 0,
            recent: 0,
            room_after: None,
        };
        let asked = Asked { uploads: 1, images: 1, generations: 1, cost: 2 };
        assert_eq!(refusal(&facts, &Asked { images: 2, ..asked }, 0).code, "image_not_found");
        assert_eq!(refusal(&facts, &Asked { uploads: 2, images: 2, ..asked }, 0).code, "upload_not_found");
        let short = refusal(&facts, &Asked { generations: 2, cost: 4, ..asked }, 0);
        assert_eq!(short.details, Some(serde_json::json!({ "balance": 3, "cost": 4 })));
        let busy =
            refusal(&AdmissionFacts { in_flight: MAX_IN_FLIGHT - 2, ..facts }, &Asked { generations: 3, ..asked }, 0);
        assert_eq!((busy.code.as_ref(), busy.retry_after_secs), ("too_many_in_flight", Some(5)));
        let hurried = refusal(
            &AdmissionFacts { recent: MAX_PER_MINUTE - 1, room_after: Some(10_000), ..facts },
            &Asked { generations: 2, ..asked },
            30_000,
        );
        assert_eq!((hurried.code.as_ref(), hurried.retry_after_secs), ("rate_limited", Some(40)));
    }
}
