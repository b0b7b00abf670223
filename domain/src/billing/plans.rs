//! The plan catalogue (`PLANS`): monthly subscriptions and one-time credit packs, validated once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// One-time purchase; credits granted once when paid.
    Pack,
    /// Recurring; credits granted once per paid invoice.
    Subscription,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub id: String,
    pub kind: PlanKind,
    pub name: String,
    /// Credits per purchase (pack) or per billing period (subscription).
    pub credits: u32,
    pub price_cents: u32,
    pub currency: String,
    /// Billing interval for subscriptions (`month`); absent for packs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing)]
    pub stripe_price_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCatalogue {
    plans: Vec<Plan>,
}

/// Upper bound on credits per plan: a typo must not mint a fortune.
const MAX_PLAN_CREDITS: u32 = 1_000_000;

impl PlanCatalogue {
    /// Why the catalogue is unusable, in words safe to show; never echoes values.
    pub fn parse(json: &str) -> Result<Self, &'static str> {
        let plans: Vec<Plan> = serde_json::from_str(json).map_err(|_| {
            "must be a JSON array of plans {id, kind, name, credits, price_cents, currency, stripe_price_id}"
        })?;
        if plans.is_empty() {
            return Err("must list at least one plan");
        }
        for (i, plan) in plans.iter().enumerate() {
            let valid_id = !plan.id.is_empty()
                && plan.id.len() <= 64
                && plan.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid_id {
                return Err("has a plan id that is not 1-64 letters, digits, _ or -");
            }
            if plan.credits == 0 || plan.credits > MAX_PLAN_CREDITS {
                return Err("has a plan whose credits are not between 1 and 1000000");
            }
            if plan.price_cents == 0 || plan.currency.len() != 3 || !plan.stripe_price_id.starts_with("price_") {
                return Err("has a plan without a price, a 3-letter currency or a price_ id");
            }
            if (plan.kind == PlanKind::Subscription) != plan.interval.is_some() {
                return Err("has a subscription without an interval, or a pack with one");
            }
            let duplicate = plans[..i].iter().any(|p| p.id == plan.id || p.stripe_price_id == plan.stripe_price_id);
            if duplicate {
                return Err("has two plans with the same id or Stripe price");
            }
        }
        Ok(Self { plans })
    }

    pub fn all(&self) -> &[Plan] {
        &self.plans
    }

    pub fn by_id(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The plan's name for a ledger line; a plan since removed from the catalogue is named by its id.
    pub fn name_or_id(&self, id: &str) -> String {
        self.by_id(id).map_or_else(|| id.to_owned(), |plan| plan.name.clone())
    }

    pub fn by_price(&self, stripe_price_id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.stripe_price_id == stripe_price_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = r#"[
      {"id":"pack_100","kind":"pack","name":"100 credits","credits":100,"price_cents":900,"currency":"usd","stripe_price_id":"price_pack_100"},
      {"id":"pro","kind":"subscription","name":"Pro","credits":400,"price_cents":1900,"currency":"usd","interval":"month","stripe_price_id":"price_pro"}
    ]"#;

    #[test]
    fn a_valid_catalogue_parses_and_finds_plans_by_id_and_price() {
        let catalogue = PlanCatalogue::parse(SAMPLE).unwrap();
        assert_eq!(catalogue.all().len(), 2);
        assert_eq!(catalogue.by_id("pro").unwrap().kind, PlanKind::Subscription);
        assert_eq!(catalogue.by_price("price_pack_100").unwrap().credits, 100);
        assert!(catalogue.by_id("nope").is_none());
    }

    #[test]
    fn a_removed_plan_is_named_by_its_id() {
        let catalogue = PlanCatalogue::parse(SAMPLE).unwrap();
        assert_eq!(catalogue.name_or_id("pack_100"), "100 credits");
        assert_eq!(catalogue.name_or_id("pack_retired"), "pack_retired");
    }

    #[test]
    fn price_ids_are_not_published() {
        let catalogue = PlanCatalogue::parse(SAMPLE).unwrap();
        let json = serde_json::to_string(catalogue.all()).unwrap();
        assert!(!json.contains("price_pack_100"));
    }

    #[test]
    fn invalid_catalogues_are_refused() {
        let bad = [
            "[]",
            "{}",
            r#"[{"id":"x","kind":"pack","name":"n","credits":0,"price_cents":1,"currency":"usd","stripe_price_id":"price_1"}]"#,
            r#"[{"id":"x","kind":"pack","name":"n","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"prod_1"}]"#,
            r#"[{"id":"x","kind":"subscription","name":"n","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"price_1"}]"#,
            r#"[{"id":"x y","kind":"pack","name":"n","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"price_1"}]"#,
            r#"[{"id":"x","kind":"pack","name":"n","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"price_1"},
                {"id":"x","kind":"pack","name":"m","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"price_2"}]"#,
            r#"[{"id":"x","kind":"pack","name":"n","credits":5,"price_cents":1,"currency":"usd","stripe_price_id":"price_1","extra":1}]"#,
        ];
        for json in bad {
            assert!(PlanCatalogue::parse(json).is_err(), "{json}");
        }
    }
}
