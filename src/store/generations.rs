//! Generations in D1: admission (limits, ownership, debit and ledger in one guarded batch), progress, and settlement
//! (a success with its images: `completion.rs`).

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::LedgerEntryId;
use gptimg_domain::generation::{
    admission_limits, AdmissionFacts, BatchId, Failure, GenerationId, GenerationStatus, ImageId, UploadId,
};
use gptimg_domain::idempotency::StoredAnswer;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

pub use super::completion::{complete, Renditions, StoredImage};
use super::idempotency::{self, Claim};
use super::json_column;
use super::{int, json_text, opt_text, text, Db, APPLY_LEDGER_ENTRY};

/// The generations one request asks for (one per image), as admitted: ids are fresh, the rest validated by the
/// domain. Every member costs `cost`; the first is the one whose guard decides for all.
pub struct NewBatch<'a> {
    pub batch_id: &'a BatchId,
    /// Each generation with its debit's ledger entry id; at least one.
    pub members: &'a [(GenerationId, LedgerEntryId)],
    pub account_id: &'a AccountId,
    pub prompt: &'a str,
    pub model_id: &'a str,
    pub apipod_model: &'a str,
    pub aspect_ratio: &'a str,
    pub quality: Option<&'a str>,
    pub references: &'a [UploadId],
    pub image_references: &'a [ImageId],
    pub cost: i64,
    pub description: &'a str,
    pub deadline: UnixMillis,
    pub now: UnixMillis,
    /// The request's `Idempotency-Key` claim (its `claim` is the first member's id), written with the batch.
    pub idempotency: Option<Claim<'a>>,
}

macro_rules! insert_generation {
    () => {
        "INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, quality, \
 reference_upload_ids, cost, status, deadline_at, created_at, updated_at, batch_id, reference_image_ids) \
 SELECT ?1, a.id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?11, ?11, ?12, ?13 FROM accounts a WHERE a.id = ?2 "
    };
}

// The first generation is inserted only if the caller can pay for the whole batch (?14), the batch fits both
// limits (?15, ?16: `admission_limits`; an account in debt pays nothing until a purchase settles it), the caller owns every reference and holds its Idempotency-Key if it sent
// one (?17): the guard and the debits are one transaction, so concurrent requests can never overspend nor a
// duplicate charge twice. The others follow the first, so all or none are.
const ADMIT_FIRST: &str = concat!(
    insert_generation!(),
    "AND a.credits - a.credit_debt >= ?14 \
 AND (SELECT COUNT(*) FROM generations WHERE account_id = ?2 AND status IN ('queued', 'running')) < ?15 \
 AND (SELECT COUNT(*) FROM generations WHERE account_id = ?2 AND created_at > ?11 - 60000) < ?16 \
 AND (SELECT COUNT(*) FROM uploads WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?8))) = json_array_length(?8) \
 AND (SELECT COUNT(*) FROM generation_images WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?13))) = json_array_length(?13)",
    crate::idempotency_held!("create_generation", "2", "17", "1")
);
const ADMIT_NEXT: &str = concat!(insert_generation!(), "AND EXISTS (SELECT 1 FROM generations WHERE id = ?14)");

const INSERT_DEBIT: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, g.account_id, 'generation_debit', g.id, -g.cost, a.credits - g.cost, a.credit_debt, ?3, ?4 \
 FROM generations g JOIN accounts a ON a.id = g.account_id WHERE g.id = ?2 \
 ON CONFLICT (kind, source_id) DO NOTHING";

const TOUCH_REFERENCES: &str = "UPDATE uploads SET last_used_at = ?3 \
 WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?4)) AND EXISTS (SELECT 1 FROM generations WHERE id = ?1)";

// After the debits: `credits` is the balance the caller now has (admitted) or had (refused). ?6 is the per-minute
// count the batch needs to be below (`admission_limits`): the recent start at that offset is the one that makes room.
const ADMISSION_FACTS: &str = "SELECT (SELECT COUNT(*) FROM generations WHERE id = ?1) AS created, \
 (SELECT COUNT(*) FROM uploads WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?4))) AS references_owned, \
 (SELECT COUNT(*) FROM generation_images WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?5))) AS images_owned, \
 (SELECT credits - credit_debt FROM accounts WHERE id = ?2) AS credits, \
 (SELECT COUNT(*) FROM generations WHERE account_id = ?2 AND status IN ('queued', 'running') AND id != ?1) AS in_flight, \
 (SELECT COUNT(*) FROM generations WHERE account_id = ?2 AND created_at > ?3 - 60000 AND id != ?1) AS recent, \
 (SELECT created_at FROM generations WHERE account_id = ?2 AND created_at > ?3 - 60000 AND id != ?1 ORDER BY created_at \
 LIMIT 1 OFFSET max(0, (SELECT COUNT(*) FROM generations WHERE account_id = ?2 AND created_at > ?3 - 60000 AND id != ?1) - ?6)) \
 AS room_after";

#[derive(Deserialize)]
struct AdmissionRow {
    created: i64,
    #[serde(flatten)]
    facts: AdmissionFacts,
}

// The stored answer's `credits` is the balance after the debits, known only here.
const ANSWER_CREDITS: &str = "UPDATE idempotency_keys SET body = json_set(body, '$.credits', \
 (SELECT credits FROM accounts WHERE id = ?1)) WHERE account_id = ?1 AND operation = ?2 AND idem_key = ?3 AND claim = ?4";

/// How admission went: every member admitted and charged, with the balance after; or none, with what D1 saw; or
/// none because another request holds the Idempotency-Key (its stored answer).
pub enum Admission {
    Admitted { credits: i64 },
    Refused(AdmissionFacts),
    KeyTaken(StoredAnswer),
}

/// Admits and charges the whole batch or none of it, in one round trip.
pub async fn admit(db: &Db, b: &NewBatch<'_>) -> worker::Result<Admission> {
    let Some((first, _)) = b.members.first() else {
        return Err(worker::Error::RustError("a batch of no generations".into()));
    };
    let tasks = u32::try_from(b.members.len()).unwrap_or(u32::MAX);
    let (in_flight_below, recent_below) = admission_limits(tasks);
    let now = int(b.now.0);
    let (account, references, images) =
        (text(b.account_id.as_str()), json_text(&b.references)?, json_text(&b.image_references)?);
    let mut statements = Vec::with_capacity(b.members.len() * 3 + 6);
    if let Some(claim) = &b.idempotency {
        statements.push(idempotency::claim(db, claim)?);
    }
    for (i, (id, debit)) in b.members.iter().enumerate() {
        let mut binds = vec![
            text(id.as_str()),
            account.clone(),
            text(b.prompt),
            text(b.model_id),
            text(b.apipod_model),
            text(b.aspect_ratio),
            opt_text(b.quality),
            references.clone(),
            int(b.cost),
            int(b.deadline.0),
            now.clone(),
            text(b.batch_id.as_str()),
            images.clone(),
        ];
        let admit = if i == 0 {
            binds.extend([
                int(b.cost * i64::from(tasks)),
                int(in_flight_below),
                int(recent_below),
                idempotency::key_bind(b.idempotency.as_ref()),
            ]);
            ADMIT_FIRST
        } else {
            binds.push(text(first.as_str()));
            ADMIT_NEXT
        };
        statements.push(db.prepare(admit).bind(&binds)?);
        statements.push(db.prepare(INSERT_DEBIT).bind(&[
            text(debit.as_str()),
            text(id.as_str()),
            text(b.description),
            now.clone(),
        ])?);
        statements.push(db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(debit.as_str())])?);
    }
    let first = text(first.as_str());
    statements.push(db.prepare(TOUCH_REFERENCES).bind(&[
        first.clone(),
        account.clone(),
        now.clone(),
        references.clone(),
    ])?);
    if let Some(claim) = &b.idempotency {
        let binds = [account.clone(), text(claim.operation.as_str()), text(claim.key.as_str()), first.clone()];
        statements.push(db.prepare(ANSWER_CREDITS).bind(&binds)?);
        statements.push(idempotency::release(db, claim)?);
        statements.push(idempotency::find(db, claim)?);
    }
    statements.push(db.prepare(ADMISSION_FACTS).bind(&[first, account, now, references, images, int(recent_below)])?);
    let results = db.batch(statements).await?;
    let row = results.last().map(|r| r.results::<AdmissionRow>()).transpose()?.and_then(|mut rows| rows.pop());
    let row = row.ok_or_else(|| worker::Error::RustError("admission batch returned no facts".into()))?;
    if row.created != 0 {
        return Ok(Admission::Admitted { credits: row.facts.credits });
    }
    // Not admitted: a key still held after the release is another request's.
    let taken = match b.idempotency.is_some() {
        true => results.get(results.len() - 2).map(idempotency::answer).transpose()?.flatten(),
        false => None,
    };
    Ok(taken.map_or(Admission::Refused(row.facts), Admission::KeyTaken))
}

// Only the submission attempt that expected this count may start it: a stale retry message loses.
const MARK_RUNNING: &str =
    "UPDATE generations SET status = 'running', apipod_task_id = ?2, next_poll_at = ?3, updated_at = ?4 \
 WHERE id = ?1 AND status = 'queued' AND poll_attempts = ?5";

pub async fn mark_running(
    db: &Db,
    id: &GenerationId,
    task_id: &str,
    expected_attempts: i64,
    next_poll_at: UnixMillis,
    now: UnixMillis,
) -> worker::Result<bool> {
    db.run_changed(db.prepare(MARK_RUNNING).bind(&[
        text(id.as_str()),
        text(task_id),
        int(next_poll_at.0),
        int(now.0),
        int(expected_attempts),
    ])?)
    .await
}

/// What a submission retry, a poll or a callback needs to know about an unfinished generation.
#[derive(Debug, Clone, Deserialize)]
pub struct RunningGeneration {
    pub id: GenerationId,
    pub account_id: AccountId,
    pub model_id: String,
    pub apipod_model: String,
    pub prompt: String,
    pub aspect_ratio: String,
    pub quality: Option<String>,
    #[serde(deserialize_with = "json_column")]
    pub reference_upload_ids: Vec<UploadId>,
    #[serde(deserialize_with = "json_column")]
    pub reference_image_ids: Vec<ImageId>,
    pub status: GenerationStatus,
    pub apipod_task_id: Option<String>,
    pub poll_attempts: i64,
    pub deadline_at: i64,
    pub created_at: i64,
}

const FIND_FOR_POLL: &str = "SELECT id, account_id, model_id, apipod_model, prompt, aspect_ratio, quality, \
 reference_upload_ids, reference_image_ids, status, apipod_task_id, poll_attempts, deadline_at, created_at \
 FROM generations WHERE id = ?1";

pub async fn find_for_poll(db: &Db, id: &GenerationId) -> worker::Result<Option<RunningGeneration>> {
    db.first::<RunningGeneration>(db.prepare(FIND_FOR_POLL).bind(&[text(id.as_str())])?).await
}

// Advances the attempt counter only from the value the caller expected: a duplicate message, or the loser of
// a poll/callback race, changes nothing. `status` is Queued for submission retries, Running for polls.
const RECORD_POLL: &str =
    "UPDATE generations SET poll_attempts = poll_attempts + 1, next_poll_at = ?3, updated_at = ?4 \
 WHERE id = ?1 AND status = ?5 AND poll_attempts = ?2";

pub async fn record_poll(
    db: &Db,
    id: &GenerationId,
    status: GenerationStatus,
    expected_attempts: i64,
    next_poll_at: UnixMillis,
    now: UnixMillis,
) -> worker::Result<bool> {
    db.run_changed(db.prepare(RECORD_POLL).bind(&[
        text(id.as_str()),
        int(expected_attempts),
        int(next_poll_at.0),
        int(now.0),
        text(status.as_str()),
    ])?)
    .await
}

// ?5 NULL: whoever calls (the sweep, a refused submission); otherwise only the finisher holding that claim.
const MARK_FAILED: &str =
    "UPDATE generations SET status = 'failed', failure_code = ?2, failure_message = ?3, finished_at = ?4, \
 updated_at = ?4 WHERE id = ?1 AND status IN ('queued', 'running') AND (?5 IS NULL OR poll_attempts = ?5)";

// Refunds only a failed generation that was charged; UNIQUE (kind, source_id) makes it happen once.
const INSERT_REFUND: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT ?1, g.account_id, 'generation_refund', g.id, g.cost, a.credits + g.cost, a.credit_debt, ?3, ?4 \
 FROM generations g JOIN accounts a ON a.id = g.account_id WHERE g.id = ?2 AND g.status = 'failed' \
 AND EXISTS (SELECT 1 FROM credit_ledger WHERE kind = 'generation_debit' AND source_id = g.id) \
 ON CONFLICT (kind, source_id) DO NOTHING";

/// Fails the generation (if unfinished) and refunds it exactly once, in one batch.
pub async fn fail_and_refund(
    db: &Db,
    generation_id: &GenerationId,
    failure: &Failure,
    refund_entry: &LedgerEntryId,
    description: &str,
    claimed: Option<i64>,
    now: UnixMillis,
) -> worker::Result<()> {
    let claim = claimed.map_or(wasm_bindgen::JsValue::NULL, int);
    let (id, refund_entry_id) = (generation_id.as_str(), refund_entry.as_str());
    let statements = vec![
        db.prepare(MARK_FAILED).bind(&[text(id), text(failure.code()), text(&failure.message()), int(now.0), claim])?,
        db.prepare(INSERT_REFUND).bind(&[text(refund_entry_id), text(id), text(description), int(now.0)])?,
        db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(refund_entry_id)])?,
    ];
    db.batch(statements).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct Overdue {
    pub id: GenerationId,
    pub status: GenerationStatus,
    pub model_id: String,
    pub poll_attempts: i64,
    pub apipod_task_id: Option<String>,
    /// 1 when past the deadline; otherwise the poll or submission looks lost.
    pub past_deadline: i64,
}

// Past the deadline; running but unpolled for 2 minutes (lost message); queued and 2 minutes past its next
// submission (a submit cut off after the response, or a lost retry message).
// Kept in a .sql file so the query-plan test checks this very text.
const OVERDUE: &str = include_str!("sql/overdue_generations.sql");

pub async fn overdue(db: &Db, now: UnixMillis) -> worker::Result<Vec<Overdue>> {
    db.all(db.prepare(OVERDUE).bind(&[int(now.0)])?).await?.results()
}
