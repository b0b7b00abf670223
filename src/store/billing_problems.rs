//! Paid Stripe events that could not be applied: kept for an operator until a retry applies them or an admin
//! dismisses them. Their statements join the batch of the event they belong to.

use gptimg_domain::billing::{Problem, ProblemReason};
use gptimg_domain::time::UnixMillis;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::D1PreparedStatement;

use super::admin::{self, AuditEntry};
use super::event_record::{run_recorded, EventRecord, Marker};
use super::{int, json_column, text, Db};

/// Inserts the problem row for event ?1 (type ?2, reason ?3, facts ?4, now ?5) when `$condition` holds. A replay
/// counts a delivery; a problem already resolved keeps what it was resolved with, an open one takes the latest
/// reason and facts.
macro_rules! upsert_problem {
    ($condition:literal) => {
        concat!(
            "INSERT INTO billing_problems (event_id, event_type, reason, facts, first_seen_at, last_seen_at) ",
            "SELECT ?1, ?2, ?3, ?4, ?5, ?5 WHERE ",
            $condition,
            " ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + 1, last_seen_at = excluded.last_seen_at, ",
            "reason = CASE WHEN resolved_at IS NULL THEN excluded.reason ELSE reason END, ",
            "facts = CASE WHEN resolved_at IS NULL THEN excluded.facts ELSE facts END"
        )
    };
}

const UPSERT_PROBLEM: &str = upsert_problem!("1");

// Written in a grant's batch after its ledger insert, as ONE statement (a statement is most of what a batch costs
// per row): with no credits for the cause (no account), the problem is inserted or its delivery counted, as by
// `UPSERT_PROBLEM`; with its payment recorded (the account was found), an open problem for the event is marked applied and nothing else changes. The
// inserted row carries whether the cause is granted (`resolved_at`), which the conflict branch reads.
const GRANT_PROBLEM: &str = "INSERT INTO billing_problems \
 (event_id, event_type, reason, facts, first_seen_at, last_seen_at, resolved_at, resolution) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?5, granted.at, CASE WHEN granted.at IS NOT NULL THEN 'applied' END \
 FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM payments WHERE cause_id = ?6 AND status != 'failed') THEN ?5 END AS at) AS granted \
 WHERE granted.at IS NULL OR EXISTS (SELECT 1 FROM billing_problems WHERE event_id = ?1 AND resolved_at IS NULL) \
 ON CONFLICT (event_id) DO UPDATE SET \
 deliveries = CASE WHEN excluded.resolved_at IS NULL THEN deliveries + 1 ELSE deliveries END, \
 last_seen_at = CASE WHEN excluded.resolved_at IS NULL THEN excluded.last_seen_at ELSE last_seen_at END, \
 reason = CASE WHEN resolved_at IS NULL AND excluded.resolved_at IS NULL THEN excluded.reason ELSE reason END, \
 facts = CASE WHEN resolved_at IS NULL AND excluded.resolved_at IS NULL THEN excluded.facts ELSE facts END, \
 resolution = CASE WHEN resolved_at IS NULL AND excluded.resolved_at IS NOT NULL THEN 'applied' ELSE resolution END, \
 resolved_at = COALESCE(resolved_at, excluded.resolved_at)";

const RESOLVE: &str =
    "UPDATE billing_problems SET resolved_at = ?2, resolution = 'applied' WHERE event_id = ?1 AND resolved_at IS NULL";

fn problem_params(problem: &Problem, event: &EventRecord<'_>) -> Vec<worker::wasm_bindgen::JsValue> {
    vec![
        text(event.id),
        text(event.event_type),
        text(problem.reason.as_str()),
        text(&problem.facts.to_string()),
        int(event.now.0),
    ]
}

/// The statement a grant adds to its batch: the problem if the grant found no account, else its resolution.
pub fn grant_statement(
    db: &Db,
    problem: &Problem,
    cause_id: &str,
    event: &EventRecord<'_>,
) -> worker::Result<D1PreparedStatement> {
    let mut params = problem_params(problem, event);
    params.push(text(cause_id));
    db.prepare(GRANT_PROBLEM).bind(&params)
}

/// Marks this event's problem (if any) applied: for facts applied unconditionally, such as a found reversal.
pub fn resolve(db: &Db, event: &EventRecord<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(RESOLVE).bind(&[text(event.id), int(event.now.0)])
}

/// Records the problem and the event in one batch; the outcome is `needs_attention` unless an admin dismissed it.
pub async fn record(db: &Db, problem: &Problem, event: &EventRecord<'_>) -> worker::Result<String> {
    record_with(db, problem, Vec::new(), event).await
}

/// `record`, with what else the event must change even while it is refused (`before`, in the same batch).
pub async fn record_with(
    db: &Db,
    problem: &Problem,
    mut before: Vec<D1PreparedStatement>,
    event: &EventRecord<'_>,
) -> worker::Result<String> {
    before.push(db.prepare(UPSERT_PROBLEM).bind(&problem_params(problem, event))?);
    run_recorded(db, before, event, Marker::default(), "needs_attention").await
}

/// A billing problem for the console, its facts parsed from their JSON column.
#[derive(Debug, Deserialize, Serialize)]
pub struct ProblemRow {
    pub event_id: String,
    pub event_type: String,
    pub reason: String,
    #[serde(deserialize_with = "json_column")]
    pub facts: Value,
    pub deliveries: i64,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

impl ProblemRow {
    /// What an operator should do about it, if its reason is one we know.
    pub fn advice(&self) -> Option<&'static str> {
        ProblemReason::parse(&self.reason).map(ProblemReason::advice)
    }
}

/// Open problems first, then the latest resolved ones.
pub async fn list(db: &Db, open_only: bool) -> worker::Result<Vec<ProblemRow>> {
    let sql = "SELECT event_id, event_type, reason, facts, deliveries, first_seen_at, last_seen_at, resolved_at, \
 resolution, resolved_by FROM billing_problems WHERE (?1 = 0 OR resolved_at IS NULL) \
 ORDER BY resolved_at IS NOT NULL, last_seen_at DESC LIMIT 200";
    db.all(db.prepare(sql).bind(&[int(i64::from(open_only))])?).await?.results()
}

const INSERT_PROBLEM_AUDIT: &str = "INSERT INTO audit_log (id, admin_account_id, action, target_id, details, created_at) \
 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM billing_problems WHERE event_id = ?4 AND resolved_at IS NULL)";

const DISMISS: &str = "UPDATE billing_problems SET resolved_at = ?2, resolution = 'dismissed', resolved_by = ?3 \
 WHERE event_id = ?1 AND resolved_at IS NULL RETURNING event_id";

/// An admin settles an open problem by hand (e.g. refunded in Stripe): later retries are acknowledged. False if
/// there is no such open problem.
pub async fn dismiss(db: &Db, entry: &AuditEntry, now: UnixMillis) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            admin::audit(db, INSERT_PROBLEM_AUDIT, entry, now)?,
            db.prepare(DISMISS).bind(&[text(&entry.target_id), int(now.0), text(&entry.admin_account_id)])?,
        ])
        .await?;
    Ok(!results[1].results::<Value>()?.is_empty())
}
