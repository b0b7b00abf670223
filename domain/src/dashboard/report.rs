//! The dashboard's series, assembled from the aggregate rows D1 returns (one GROUP BY query each): what every
//! number means is defined here, next to where it is computed.

use serde::Serialize;

pub use crate::dashboard::rows::*;
use crate::dashboard::{csv, csv_text, fill_days, iso_date, percentile, Series, Window};
use crate::time::UnixMillis;

/// Revenue per UTC day and currency: every day of the window for every currency seen in it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RevenueDay {
    pub day: String,
    pub currency: String,
    pub payments: i64,
    pub gross_cents: i64,
    pub reversed_cents: i64,
    /// gross − reversed.
    pub net_cents: i64,
}

/// Credits per UTC day of the ledger rows. `sold`: pack and subscription grants. `charged`: generation debits
/// (as a positive number). `refunded`: refunds of failed generations. `spent` = charged − refunded.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CreditsDay {
    pub day: String,
    pub sold: i64,
    pub charged: i64,
    pub refunded: i64,
    pub spent: i64,
}

/// Generations by the UTC day they were requested, by outcome so far (disjoint): `succeeded`; `refunded` (failed,
/// credits given back); `failed` (failed with no refund row — should stay 0); `in_progress` (queued or running).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GenerationsDay {
    pub day: String,
    pub succeeded: i64,
    pub refunded: i64,
    pub failed: i64,
    pub in_progress: i64,
    pub total: i64,
}

/// Per model, generations requested in the window. `failure_rate_per_mille` = failed ÷ (succeeded + failed) × 1000,
/// rounded half up (refunded or not; an integer, so no float formatting code is in the Worker); `p50_seconds`/`p95_seconds`: nearest-rank percentiles of the succeeded ones' completion time
/// (finished − requested) in whole seconds rounded down; null when nothing finished / succeeded.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelRow {
    pub model: String,
    pub generations: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub in_progress: i64,
    pub failure_rate_per_mille: Option<i64>,
    pub p50_seconds: Option<i64>,
    pub p95_seconds: Option<i64>,
}

/// The whole dashboard. `failure_codes` count failed generations requested in the window by APIPod's (or our)
/// failure code, most frequent first (as the SQL orders them). `attention` and `deletions` are the state now, not per day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dashboard {
    pub days: i64,
    pub from: String,
    pub to: String,
    pub generated_at: UnixMillis,
    pub revenue: Vec<RevenueDay>,
    pub credits: Vec<CreditsDay>,
    pub generations: Vec<GenerationsDay>,
    pub models: Vec<ModelRow>,
    pub failure_codes: Vec<CountAggregate>,
    pub attention: Vec<CountAggregate>,
    pub deletions: Vec<CountAggregate>,
}

impl Dashboard {
    pub fn assemble(window: Window, now: UnixMillis, raw: Aggregates) -> Self {
        Self {
            days: window.days,
            from: iso_date(window.first_day),
            to: iso_date(window.last_day()),
            generated_at: now,
            revenue: revenue(window, raw.revenue),
            credits: credits(window, raw.ledger),
            generations: generations(window, raw.statuses),
            models: models(raw.models),
            failure_codes: raw.failure_codes,
            attention: raw.attention,
            deletions: raw.deletions,
        }
    }

    /// One series as CSV: a header row, then the same rows and numbers as the JSON (empty cell for null).
    pub fn csv(&self, series: Series) -> String {
        let num = |n: i64| n.to_string();
        let opt = |n: Option<i64>| n.map(num).unwrap_or_default();
        let counts = |rows: &[CountAggregate]| -> Vec<Vec<String>> {
            rows.iter().map(|r| vec![csv_text(&r.source), csv_text(&r.kind), num(r.count), opt(r.oldest_at)]).collect()
        };
        const COUNT_HEADER: &[&str] = &["source", "kind", "count", "oldest_at"];
        match series {
            Series::Revenue => csv(
                &["day", "currency", "payments", "gross_cents", "reversed_cents", "net_cents"],
                self.revenue.iter().map(|r| {
                    vec![
                        r.day.clone(),
                        csv_text(&r.currency),
                        num(r.payments),
                        num(r.gross_cents),
                        num(r.reversed_cents),
                        num(r.net_cents),
                    ]
                }),
            ),
            Series::Credits => csv(
                &["day", "sold", "charged", "refunded", "spent"],
                self.credits
                    .iter()
                    .map(|r| vec![r.day.clone(), num(r.sold), num(r.charged), num(r.refunded), num(r.spent)]),
            ),
            Series::Generations => csv(
                &["day", "succeeded", "refunded", "failed", "in_progress", "total"],
                self.generations.iter().map(|r| {
                    vec![
                        r.day.clone(),
                        num(r.succeeded),
                        num(r.refunded),
                        num(r.failed),
                        num(r.in_progress),
                        num(r.total),
                    ]
                }),
            ),
            Series::Models => csv(
                &[
                    "model",
                    "generations",
                    "succeeded",
                    "failed",
                    "in_progress",
                    "failure_rate_per_mille",
                    "p50_seconds",
                    "p95_seconds",
                ],
                self.models.iter().map(|r| {
                    let rate = opt(r.failure_rate_per_mille);
                    vec![
                        csv_text(&r.model),
                        num(r.generations),
                        num(r.succeeded),
                        num(r.failed),
                        num(r.in_progress),
                        rate,
                        opt(r.p50_seconds),
                        opt(r.p95_seconds),
                    ]
                }),
            ),
            Series::FailureCodes => csv(COUNT_HEADER, counts(&self.failure_codes)),
            Series::Attention => csv(COUNT_HEADER, counts(&self.attention)),
            Series::Deletions => csv(COUNT_HEADER, counts(&self.deletions)),
        }
    }
}

/// The distinct values in the order they first appear (the SQL sorts them); no sort code in the Worker.
fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for value in values {
        if !seen.contains(value) {
            seen.push(value.clone());
        }
    }
    seen
}

fn revenue(window: Window, rows: Vec<RevenueAggregate>) -> Vec<RevenueDay> {
    let currencies = distinct(rows.iter().map(|r| &r.currency));
    let per_currency: Vec<Vec<(i64, RevenueDay)>> = currencies
        .iter()
        .map(|currency| {
            let mine = rows.iter().filter(|r| &r.currency == currency).map(|r| {
                let day = RevenueDay {
                    payments: r.payments,
                    gross_cents: r.gross_cents,
                    reversed_cents: r.reversed_cents,
                    ..RevenueDay::default()
                };
                (r.day, day)
            });
            fill_days(window, mine, |slot, add| {
                slot.payments += add.payments;
                slot.gross_cents += add.gross_cents;
                slot.reversed_cents += add.reversed_cents;
            })
        })
        .collect();
    // Day by day, each currency in turn.
    (0..per_currency.first().map_or(0, Vec::len))
        .flat_map(|i| currencies.iter().zip(&per_currency).map(move |(currency, days)| (i, currency, days)))
        .map(|(i, currency, days)| {
            let (day, r) = days[i].clone();
            RevenueDay {
                day: iso_date(day),
                currency: currency.clone(),
                net_cents: r.gross_cents - r.reversed_cents,
                ..r
            }
        })
        .collect()
}

fn credits(window: Window, rows: Vec<LedgerAggregate>) -> Vec<CreditsDay> {
    let parts = rows.into_iter().map(|r| {
        let mut day = CreditsDay::default();
        match r.kind.as_str() {
            "pack_purchase" | "subscription_credits" => day.sold = r.amount,
            "generation_debit" => day.charged = -r.amount,
            "generation_refund" => day.refunded = r.amount,
            _ => {}
        }
        (r.day, day)
    });
    fill_days(window, parts, |slot, add| {
        slot.sold += add.sold;
        slot.charged += add.charged;
        slot.refunded += add.refunded;
    })
    .into_iter()
    .map(|(day, c)| CreditsDay { day: iso_date(day), spent: c.charged - c.refunded, ..c })
    .collect()
}

fn generations(window: Window, rows: Vec<StatusAggregate>) -> Vec<GenerationsDay> {
    let parts = rows.into_iter().map(|r| {
        let mut day = GenerationsDay { total: r.count, ..GenerationsDay::default() };
        match r.status.as_str() {
            "succeeded" => day.succeeded = r.count,
            "failed" => {
                day.refunded = r.refunded;
                day.failed = r.count - r.refunded;
            }
            _ => day.in_progress = r.count,
        }
        (r.day, day)
    });
    fill_days(window, parts, |slot, add| {
        slot.succeeded += add.succeeded;
        slot.refunded += add.refunded;
        slot.failed += add.failed;
        slot.in_progress += add.in_progress;
        slot.total += add.total;
    })
    .into_iter()
    .map(|(day, g)| GenerationsDay { day: iso_date(day), ..g })
    .collect()
}

/// Models in the order the rows name them (the SQL sorts by model).
fn models(rows: Vec<ModelAggregate>) -> Vec<ModelRow> {
    distinct(rows.iter().map(|r| &r.model))
        .into_iter()
        .map(|model| {
            let mine = || rows.iter().filter(|r| r.model == model);
            let count = |status: &str| mine().filter(|r| r.status == status).map(|r| r.count).sum::<i64>();
            let (succeeded, failed) = (count("succeeded"), count("failed"));
            let generations = mine().map(|r| r.count).sum::<i64>();
            let histogram: Vec<(i64, i64)> =
                mine().filter(|r| r.status == "succeeded").filter_map(|r| Some((r.bucket?, r.count))).collect();
            let finished = succeeded + failed;
            ModelRow {
                model,
                generations,
                succeeded,
                failed,
                in_progress: generations - finished,
                failure_rate_per_mille: (finished > 0).then(|| (failed * 1000 + finished / 2) / finished),
                p50_seconds: percentile(&histogram, 50),
                p95_seconds: percentile(&histogram, 95),
            }
        })
        .collect()
}
