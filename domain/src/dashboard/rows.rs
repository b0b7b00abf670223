//! The dashboard's aggregate rows as D1 returns them (JSON objects, one shape per query in
//! `src/store/sql/dashboard/`), read by hand rather than by derived deserializers: seven of those cost the Worker
//! bundle ~25 KiB. A missing or null number reads as 0, a missing text as "".

use serde::Serialize;
use serde_json::Value;

fn int(row: &Value, name: &str) -> i64 {
    row.get(name).and_then(Value::as_i64).unwrap_or(0)
}

fn opt_int(row: &Value, name: &str) -> Option<i64> {
    row.get(name).and_then(Value::as_i64)
}

fn text(row: &Value, name: &str) -> String {
    row.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Payments created on `day` in `currency` that did not fail: how many, their amounts, and what was refunded or
/// disputed of them since (attributed to the payment's day).
#[derive(Debug, Clone)]
pub struct RevenueAggregate {
    pub day: i64,
    pub currency: String,
    pub payments: i64,
    pub gross_cents: i64,
    pub reversed_cents: i64,
}

/// The sum of `amount` of the ledger rows of one `kind` written on `day`.
#[derive(Debug, Clone)]
pub struct LedgerAggregate {
    pub day: i64,
    pub kind: String,
    pub amount: i64,
}

/// Generations created on `day` with `status` (`count`), or — in rows of their own with count 0 — how many failed
/// generations of `day` have a refund row (`refunded`); merged per day by the assembly.
#[derive(Debug, Clone)]
pub struct StatusAggregate {
    pub day: i64,
    pub status: String,
    pub count: i64,
    pub refunded: i64,
}

/// Generations of `model` created in the window with `status`, per whole second of run time (`bucket` =
/// (finished_at − created_at) / 1000, truncated; null while unfinished). Only succeeded ones' buckets are used.
#[derive(Debug, Clone)]
pub struct ModelAggregate {
    pub model: String,
    pub status: String,
    pub bucket: Option<i64>,
    pub count: i64,
}

/// A count of something, with the oldest time involved: failure codes (`kind` only), attention and deletions.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CountAggregate {
    pub source: String,
    pub kind: String,
    pub count: i64,
    pub oldest_at: Option<i64>,
}

/// Everything D1 returned for one dashboard.
#[derive(Debug, Default)]
pub struct Aggregates {
    pub revenue: Vec<RevenueAggregate>,
    pub ledger: Vec<LedgerAggregate>,
    pub statuses: Vec<StatusAggregate>,
    pub models: Vec<ModelAggregate>,
    pub failure_codes: Vec<CountAggregate>,
    pub attention: Vec<CountAggregate>,
    pub deletions: Vec<CountAggregate>,
}

impl Aggregates {
    /// The seven queries' rows, in the batch's order: revenue, ledger, statuses, models, failure codes, attention,
    /// deletions.
    pub fn from_rows(rows: [Vec<Value>; 7]) -> Self {
        let [revenue, ledger, statuses, models, failure_codes, attention, deletions] = rows;
        let counts = |rows: Vec<Value>| -> Vec<CountAggregate> {
            rows.iter()
                .map(|r| CountAggregate {
                    source: text(r, "source"),
                    kind: text(r, "kind"),
                    count: int(r, "count"),
                    oldest_at: opt_int(r, "oldest_at"),
                })
                .collect()
        };
        Self {
            revenue: revenue
                .iter()
                .map(|r| RevenueAggregate {
                    day: int(r, "day"),
                    currency: text(r, "currency"),
                    payments: int(r, "payments"),
                    gross_cents: int(r, "gross_cents"),
                    reversed_cents: int(r, "reversed_cents"),
                })
                .collect(),
            ledger: ledger
                .iter()
                .map(|r| LedgerAggregate { day: int(r, "day"), kind: text(r, "kind"), amount: int(r, "amount") })
                .collect(),
            statuses: statuses
                .iter()
                .map(|r| StatusAggregate {
                    day: int(r, "day"),
                    status: text(r, "status"),
                    count: int(r, "count"),
                    refunded: int(r, "refunded"),
                })
                .collect(),
            models: models
                .iter()
                .map(|r| ModelAggregate {
                    model: text(r, "model"),
                    status: text(r, "status"),
                    bucket: opt_int(r, "bucket"),
                    count: int(r, "count"),
                })
                .collect(),
            failure_codes: counts(failure_codes),
            attention: counts(attention),
            deletions: counts(deletions),
        }
    }
}
