//! Unit tests of the dashboard's days, gap filling, percentiles, CSV and series assembly.

use proptest::prelude::*;

use crate::dashboard::report::*;
use crate::dashboard::*;
use crate::time::UnixMillis;

// 2026-11-24T21:00:00Z
const NOW: UnixMillis = UnixMillis(1_795_554_000_000);

fn window(days: i64) -> Window {
    Window::parse(Some(&days.to_string()), NOW).unwrap()
}

#[test]
fn days_default_to_30_and_end_with_today_utc() {
    let w = Window::parse(None, NOW).unwrap();
    assert_eq!(w.days, 30);
    assert_eq!(iso_date(w.first_day + 29), "2026-11-24");
    assert_eq!(iso_date(w.first_day), "2026-10-26");
    assert_eq!(w.day_numbers().count(), 30);
    assert_eq!(w.last_day(), NOW.0 / DAY_MS);
}

#[test]
fn only_whole_numbers_from_1_to_90_are_days() {
    assert_eq!(window(1).first_day, NOW.0 / DAY_MS);
    assert_eq!(window(90).days, 90);
    for bad in ["0", "91", "-1", "+5", "1.5", "", "abc", "30 ", "9999999999999999999999"] {
        let error = Window::parse(Some(bad), NOW).unwrap_err();
        assert_eq!(error.code, "invalid_days", "{bad:?}");
    }
}

#[test]
fn iso_dates_follow_the_gregorian_calendar() {
    assert_eq!(iso_date(0), "1970-01-01");
    assert_eq!(iso_date(-1), "1969-12-31");
    assert_eq!(iso_date(11_016), "2000-02-29");
    assert_eq!(iso_date(11_017), "2000-03-01");
    assert_eq!(iso_date(NOW.0 / DAY_MS), "2026-11-24");
    assert_eq!(iso_date(20_818), "2026-12-31");
}

#[test]
fn missing_days_are_zeros_and_rows_outside_the_window_are_dropped() {
    let w = window(5);
    let rows = vec![
        (w.first_day + 1, 3),
        (w.first_day + 1, 4),
        (w.first_day + 4, 1),
        (w.first_day - 1, 99),
        (w.first_day + 5, 99),
    ];
    let filled = fill_days(w, rows, |slot: &mut i64, n| *slot += n);
    assert_eq!(filled.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![0, 7, 0, 0, 1]);
    assert_eq!(filled.iter().map(|(d, _)| *d).collect::<Vec<_>>(), w.day_numbers().collect::<Vec<_>>());
}

#[test]
fn percentiles_use_the_nearest_rank() {
    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[(3, 0)], 50), None);
    assert_eq!(percentile(&[(7, 1)], 95), Some(7));
    // 1..=100 one each: p50 = 50th value, p95 = 95th.
    let hundred: Vec<(i64, i64)> = (1..=100).rev().map(|s| (s, 1)).collect();
    assert_eq!(percentile(&hundred, 50), Some(50));
    assert_eq!(percentile(&hundred, 95), Some(95));
    // 10 at 2 s, 1 at 60 s: p50 2, p95 rank ceil(10.45) = 11 → 60.
    assert_eq!(percentile(&[(60, 1), (2, 10)], 50), Some(2));
    assert_eq!(percentile(&[(60, 1), (2, 10)], 95), Some(60));
}

proptest! {
    #[test]
    fn histogram_percentiles_equal_the_sorted_samples(samples in prop::collection::vec(0i64..50, 1..200), p in 1u8..=100) {
        let mut histogram = std::collections::BTreeMap::new();
        for s in &samples { *histogram.entry(*s).or_insert(0) += 1; }
        let histogram: Vec<(i64, i64)> = histogram.into_iter().collect();
        let mut sorted = samples.clone();
        sorted.sort_unstable();
        let rank = (usize::from(p) * sorted.len()).div_ceil(100).max(1);
        prop_assert_eq!(percentile(&histogram, p), Some(sorted[rank - 1]));
    }
}

#[test]
fn series_come_from_their_csv_names_only() {
    for series in Series::ALL {
        assert_eq!(Series::from_csv_segment(&format!("{}.csv", series.as_str())).unwrap(), series);
    }
    for bad in ["revenue", "revenue.json", "nope.csv", ".csv", "REVENUE.csv"] {
        assert_eq!(Series::from_csv_segment(bad).unwrap_err().code, "series_not_found");
    }
}

#[test]
fn csv_cells_are_quoted_and_never_formulas() {
    assert_eq!(csv_text("plain"), "plain");
    assert_eq!(csv_text("a,b"), "\"a,b\"");
    assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    assert_eq!(csv_text("@x,y"), "\"'@x,y\"");
    assert_eq!(csv(&["a", "b"], vec![vec!["1".into(), "2".into()]]), "a,b\r\n1,2\r\n");
}

fn aggregates(w: Window) -> Aggregates {
    let d = w.first_day;
    let status = |day, status: &str, count, refunded| StatusAggregate { day, status: status.into(), count, refunded };
    let ledger = |day, kind: &str, amount| LedgerAggregate { day, kind: kind.into(), amount };
    let model = |model: &str, status: &str, bucket, count| ModelAggregate {
        model: model.into(),
        status: status.into(),
        bucket,
        count,
    };
    Aggregates {
        revenue: vec![
            RevenueAggregate { day: d + 2, currency: "eur".into(), payments: 1, gross_cents: 900, reversed_cents: 0 },
            RevenueAggregate {
                day: d + 1,
                currency: "usd".into(),
                payments: 2,
                gross_cents: 1500,
                reversed_cents: 500,
            },
        ],
        ledger: vec![
            ledger(d, "pack_purchase", 100),
            ledger(d, "subscription_credits", 50),
            ledger(d, "generation_debit", -30),
            ledger(d, "generation_refund", 10),
            ledger(d, "signup_grant", 20),
            ledger(d + 2, "generation_debit", -5),
        ],
        statuses: vec![
            status(d, "succeeded", 5, 0),
            status(d, "failed", 3, 2),
            status(d, "running", 1, 0),
            status(d, "queued", 2, 0),
        ],
        models: vec![
            model("m1", "succeeded", Some(4), 3),
            model("m1", "succeeded", Some(10), 1),
            model("m1", "failed", None, 1),
            model("m1", "queued", None, 2),
            model("m2", "running", None, 1),
        ],
        failure_codes: vec![
            CountAggregate { source: "apipod".into(), kind: "z".into(), count: 5, oldest_at: None },
            CountAggregate { source: "apipod".into(), kind: "a".into(), count: 1, oldest_at: None },
        ],
        ..Aggregates::default()
    }
}

#[test]
fn the_dashboard_defines_each_number() {
    let w = window(3);
    let dash = Dashboard::assemble(w, NOW, aggregates(w));
    assert_eq!((dash.from.as_str(), dash.to.as_str()), ("2026-11-22", "2026-11-24"));
    // Every currency seen gets every day.
    assert_eq!(dash.revenue.len(), 6);
    let order: Vec<(&str, &str)> = dash.revenue.iter().map(|r| (r.day.as_str(), r.currency.as_str())).collect();
    assert_eq!(order[..3], [("2026-11-22", "eur"), ("2026-11-22", "usd"), ("2026-11-23", "eur")]);
    let usd = dash.revenue.iter().find(|r| r.currency == "usd" && r.day == "2026-11-23").unwrap();
    assert_eq!((usd.payments, usd.gross_cents, usd.reversed_cents, usd.net_cents), (2, 1500, 500, 1000));
    assert_eq!(
        dash.revenue.iter().filter(|r| r.currency == "eur").map(|r| r.gross_cents).collect::<Vec<_>>(),
        vec![0, 0, 900]
    );
    // Sold: packs + subscriptions; spent: charges − refunds; signup grants are neither.
    assert_eq!(
        dash.credits[0],
        CreditsDay { day: "2026-11-22".into(), sold: 150, charged: 30, refunded: 10, spent: 20 }
    );
    assert_eq!(dash.credits[1], CreditsDay { day: "2026-11-23".into(), ..CreditsDay::default() });
    assert_eq!(dash.credits[2].spent, 5);
    // Outcomes are disjoint and sum to the total.
    let g = &dash.generations[0];
    assert_eq!((g.succeeded, g.refunded, g.failed, g.in_progress, g.total), (5, 2, 1, 3, 11));
    assert_eq!(dash.generations[1].total, 0);
    let m1 = &dash.models[0];
    assert_eq!((m1.generations, m1.succeeded, m1.failed, m1.in_progress), (7, 4, 1, 2));
    assert_eq!(m1.failure_rate_per_mille, Some(200));
    assert_eq!((m1.p50_seconds, m1.p95_seconds), (Some(4), Some(10)));
    let m2 = &dash.models[1];
    assert_eq!((m2.failure_rate_per_mille, m2.p50_seconds, m2.in_progress), (None, None, 1));
    assert_eq!(dash.failure_codes.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), vec!["z", "a"]);
}

#[test]
fn csv_has_the_json_rows_and_empty_cells_for_null() {
    let w = window(3);
    let dash = Dashboard::assemble(w, NOW, aggregates(w));
    let credits = dash.csv(Series::Credits);
    assert_eq!(credits.lines().next(), Some("day,sold,charged,refunded,spent"));
    assert_eq!(credits.lines().nth(1), Some("2026-11-22,150,30,10,20"));
    assert_eq!(credits.lines().count(), 4);
    let models = dash.csv(Series::Models);
    assert_eq!(models.lines().nth(1), Some("m1,7,4,1,2,200,4,10"));
    assert_eq!(models.lines().nth(2), Some("m2,1,0,0,1,,,"));
    assert_eq!(dash.csv(Series::Attention), "source,kind,count,oldest_at\r\n");
}

#[test]
fn rows_are_read_by_column_name_with_nulls_kept_where_they_mean_something() {
    use serde_json::json;
    let rows = Aggregates::from_rows([
        vec![json!({ "day": 5, "currency": "usd", "payments": 2, "gross_cents": 10, "reversed_cents": 3 })],
        vec![json!({ "day": 5, "kind": "pack_purchase", "amount": 100 })],
        vec![json!({ "day": 5, "status": "failed", "count": 0, "refunded": 2 })],
        vec![json!({ "model": "m", "status": "queued", "bucket": null, "count": 4 })],
        vec![json!({ "source": "generations", "kind": "timeout", "count": 1, "oldest_at": 9 })],
        vec![],
        vec![json!({ "source": "r2", "kind": "objects_pending_deletion", "count": 0, "oldest_at": null })],
    ]);
    assert_eq!((rows.revenue[0].currency.as_str(), rows.revenue[0].reversed_cents), ("usd", 3));
    assert_eq!(rows.ledger[0].amount, 100);
    assert_eq!((rows.statuses[0].count, rows.statuses[0].refunded), (0, 2));
    assert_eq!((rows.models[0].bucket, rows.models[0].count), (None, 4));
    assert_eq!(rows.failure_codes[0].oldest_at, Some(9));
    assert!(rows.attention.is_empty());
    assert_eq!(
        rows.deletions[0],
        CountAggregate { source: "r2".into(), kind: "objects_pending_deletion".into(), count: 0, oldest_at: None }
    );
}
