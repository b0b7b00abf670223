//! Generations in D1 after admission (`admission.rs`): submission and polling progress, the claim on the next
//! step, failure with its refund, the sweep's overdue list, and settlement (a success with its images:
//! `completion.rs`).

use gptimg_domain::account::AccountId;
use gptimg_domain::billing::ledger::LedgerEntryId;
use gptimg_domain::generation::{
    AdmittedGeneration, AspectRatio, Failure, GenerationId, GenerationSpec, GenerationStatus, ImageId, ModelId,
    Quality, UploadId,
};
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

pub use super::completion::{complete, Renditions, StoredImage};
use super::json_column;
use super::{int, text, Db, APPLY_LEDGER_ENTRY};

// Only the submission attempt that expected this count may start it: a stale retry message loses.
const MARK_RUNNING: &str =
    "UPDATE generations SET status = 'running', apipod_task_id = :task_id, next_poll_at = :next_at, updated_at = :now \
 WHERE id = :id AND status = 'queued' AND poll_attempts = :expected_attempts";

pub async fn mark_running(
    db: &Db,
    id: &GenerationId,
    task_id: &str,
    expected_attempts: i64,
    next_poll_at: UnixMillis,
    now: UnixMillis,
) -> worker::Result<bool> {
    db.run_changed(db.named(
        MARK_RUNNING,
        &[
            ("id", text(id.as_str())),
            ("task_id", text(task_id)),
            ("next_at", int(next_poll_at.0)),
            ("now", int(now.0)),
            ("expected_attempts", int(expected_attempts)),
        ],
    )?)
    .await
}

/// What a submission retry, a poll or a callback needs to know about an unfinished generation.
#[derive(Debug, Clone, Deserialize)]
pub struct RunningGeneration {
    pub id: GenerationId,
    pub account_id: AccountId,
    pub model_id: ModelId,
    pub apipod_model: String,
    pub prompt: String,
    pub aspect_ratio: AspectRatio,
    pub quality: Option<Quality>,
    #[serde(deserialize_with = "json_column")]
    pub reference_upload_ids: Vec<UploadId>,
    #[serde(deserialize_with = "json_column")]
    pub reference_image_ids: Vec<ImageId>,
    pub status: GenerationStatus,
    pub apipod_task_id: Option<String>,
    pub poll_attempts: i64,
    pub deadline_at: i64,
    pub created_at: i64,
    pub cost: i64,
}

impl RunningGeneration {
    /// The generation as it was admitted: what each submission attempt sends, the same every time.
    pub fn admitted(&self) -> AdmittedGeneration {
        AdmittedGeneration {
            id: self.id.clone(),
            spec: GenerationSpec {
                prompt: self.prompt.clone(),
                model: self.model_id.clone(),
                apipod_model: self.apipod_model.clone(),
                aspect_ratio: self.aspect_ratio.clone(),
                quality: self.quality.clone(),
                references: self.reference_upload_ids.clone(),
                image_references: self.reference_image_ids.clone(),
                cost: self.cost,
            },
            admitted_at: UnixMillis(self.created_at),
        }
    }
}

const FIND_FOR_POLL: &str = "SELECT id, account_id, model_id, apipod_model, prompt, aspect_ratio, quality, \
 reference_upload_ids, reference_image_ids, status, apipod_task_id, poll_attempts, deadline_at, created_at, cost \
 FROM generations WHERE id = ?1";

pub async fn find_for_poll(db: &Db, id: &GenerationId) -> worker::Result<Option<RunningGeneration>> {
    db.first::<RunningGeneration>(db.prepare(FIND_FOR_POLL).bind(&[text(id.as_str())])?).await
}

// Advances the attempt counter only from the value the caller expected: a duplicate message, or the loser of
// a poll/callback race, changes nothing. `status` is Queued for submission retries, Running for polls.
const CLAIM: &str =
    "UPDATE generations SET poll_attempts = poll_attempts + 1, next_poll_at = :next_at, updated_at = :now \
 WHERE id = :id AND status = :status AND poll_attempts = :expected_attempts";

/// Claims the generation's next step (a submission retry, a poll, finishing it): true for the one caller that
/// moved its attempt count on from `expected_attempts`.
pub async fn claim(
    db: &Db,
    id: &GenerationId,
    status: GenerationStatus,
    expected_attempts: i64,
    next_poll_at: UnixMillis,
    now: UnixMillis,
) -> worker::Result<bool> {
    db.run_changed(db.named(
        CLAIM,
        &[
            ("id", text(id.as_str())),
            ("expected_attempts", int(expected_attempts)),
            ("next_at", int(next_poll_at.0)),
            ("now", int(now.0)),
            ("status", text(status.as_str())),
        ],
    )?)
    .await
}

// `:claimed` NULL: whoever calls (the sweep, a refused submission); otherwise only the finisher holding that claim.
const MARK_FAILED: &str =
    "UPDATE generations SET status = 'failed', failure_code = :code, failure_message = :message, finished_at = :now, \
 updated_at = :now WHERE id = :id AND status IN ('queued', 'running') AND (:claimed IS NULL OR poll_attempts = :claimed)";

// Refunds only a failed generation that was charged; UNIQUE (kind, source_id) makes it happen once.
const INSERT_REFUND: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT :entry, g.account_id, 'generation_refund', g.id, g.cost, a.credits + g.cost, a.credit_debt, :description, :now \
 FROM generations g JOIN accounts a ON a.id = g.account_id WHERE g.id = :id AND g.status = 'failed' \
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
        db.named(
            MARK_FAILED,
            &[
                ("id", text(id)),
                ("code", text(failure.code())),
                ("message", text(&failure.message())),
                ("now", int(now.0)),
                ("claimed", claim),
            ],
        )?,
        db.named(
            INSERT_REFUND,
            &[
                ("entry", text(refund_entry_id)),
                ("id", text(id)),
                ("description", text(description)),
                ("now", int(now.0)),
            ],
        )?,
        db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(refund_entry_id)])?,
    ];
    db.batch(statements).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct Overdue {
    pub id: GenerationId,
    pub status: GenerationStatus,
    pub model_id: ModelId,
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
