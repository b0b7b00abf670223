//! Admission in D1: a request's generations, their debits and its Idempotency-Key claim written in one guarded
//! batch (limits, ownership, balance), all or none, with what D1 saw when it refused.

use gptimg_domain::account::AccountId;
use gptimg_domain::generation::{admission_limits, AdmissionFacts, AdmittedBatch};
use gptimg_domain::idempotency::StoredAnswer;
use gptimg_domain::time::UnixMillis;
use serde::Deserialize;

use super::idempotency::{self, Claim};
use super::{int, json_text, opt_text, text, Db, APPLY_LEDGER_ENTRY};

macro_rules! insert_generation {
    () => {
        "INSERT INTO generations (id, account_id, prompt, model_id, apipod_model, aspect_ratio, quality, \
 reference_upload_ids, cost, status, deadline_at, created_at, updated_at, batch_id, reference_image_ids) \
 SELECT :id, a.id, :prompt, :model_id, :apipod_model, :aspect_ratio, :quality, :references, :cost, 'queued', \
 :deadline, :now, :now, :batch_id, :images FROM accounts a WHERE a.id = :account "
    };
}

// The first generation is inserted only if the caller can pay for the whole batch, the batch fits both limits
// (`admission_limits`; an account in debt pays nothing until a purchase settles it), the caller owns every
// reference and holds its Idempotency-Key if it sent one: the guard and the debits are one transaction, so
// concurrent requests can never overspend nor a duplicate charge twice. The others follow the first, so all or
// none are.
const ADMIT_FIRST: &str = concat!(
    insert_generation!(),
    "AND a.credits - a.credit_debt >= :total_cost \
 AND (SELECT COUNT(*) FROM generations WHERE account_id = :account AND status IN ('queued', 'running')) < :in_flight_below \
 AND (SELECT COUNT(*) FROM generations WHERE account_id = :account AND created_at > :now - 60000) < :recent_below \
 AND (SELECT COUNT(*) FROM uploads WHERE account_id = :account AND id IN (SELECT value FROM json_each(:references))) = json_array_length(:references) \
 AND (SELECT COUNT(*) FROM generation_images WHERE account_id = :account AND id IN (SELECT value FROM json_each(:images))) = json_array_length(:images)",
    crate::idempotency_held!("create_generation")
);
const ADMIT_NEXT: &str = concat!(insert_generation!(), "AND EXISTS (SELECT 1 FROM generations WHERE id = :first)");

const INSERT_DEBIT: &str =
    "INSERT INTO credit_ledger (id, account_id, kind, source_id, amount, balance_after, debt_after, description, created_at) \
 SELECT :entry, g.account_id, 'generation_debit', g.id, -g.cost, a.credits - g.cost, a.credit_debt, :description, :now \
 FROM generations g JOIN accounts a ON a.id = g.account_id WHERE g.id = :generation \
 ON CONFLICT (kind, source_id) DO NOTHING";

const TOUCH_REFERENCES: &str = "UPDATE uploads SET last_used_at = :now WHERE account_id = :account \
 AND id IN (SELECT value FROM json_each(:references)) AND EXISTS (SELECT 1 FROM generations WHERE id = :first)";

// After the debits: `credits` is the balance the caller now has (admitted) or had (refused). `:recent_below` is
// the per-minute count the batch needs to be below (`admission_limits`): the recent start at that offset is the
// one that makes room.
const ADMISSION_FACTS: &str = "SELECT (SELECT COUNT(*) FROM generations WHERE id = :first) AS created, \
 (SELECT COUNT(*) FROM uploads WHERE account_id = :account AND id IN (SELECT value FROM json_each(:references))) AS references_owned, \
 (SELECT COUNT(*) FROM generation_images WHERE account_id = :account AND id IN (SELECT value FROM json_each(:images))) AS images_owned, \
 (SELECT credits - credit_debt FROM accounts WHERE id = :account) AS credits, \
 (SELECT COUNT(*) FROM generations WHERE account_id = :account AND status IN ('queued', 'running') AND id != :first) AS in_flight, \
 (SELECT COUNT(*) FROM generations WHERE account_id = :account AND created_at > :now - 60000 AND id != :first) AS recent, \
 (SELECT created_at FROM generations WHERE account_id = :account AND created_at > :now - 60000 AND id != :first ORDER BY created_at \
 LIMIT 1 OFFSET max(0, (SELECT COUNT(*) FROM generations WHERE account_id = :account AND created_at > :now - 60000 AND id != :first) - :recent_below)) \
 AS room_after";

#[derive(Deserialize)]
struct AdmissionRow {
    created: i64,
    #[serde(flatten)]
    facts: AdmissionFacts,
}

// A key's stored answer is its admitted batch; the balance after it is the one its last debit left (each debit
// lowers it, so the smallest). An answer stored by an earlier version names no members: NULL.
const BALANCE_AFTER_KEYED_BATCH: &str = "SELECT (SELECT MIN(l.balance_after - l.debt_after) FROM credit_ledger l \
 WHERE l.kind = 'generation_debit' AND l.source_id IN (SELECT json_extract(m.value, '$.id') \
 FROM idempotency_keys k, json_each(k.body, '$.members') m \
 WHERE k.account_id = :account AND k.operation = 'create_generation' AND k.idem_key = :idem_key)) AS credits";

#[derive(Deserialize)]
struct BalanceAfter {
    credits: Option<i64>,
}

/// How admission went: every member admitted and charged, with the balance after; or none, with what D1 saw; or
/// none because another request holds the Idempotency-Key (its stored answer, and the balance its batch left).
pub enum Admission {
    Admitted { credits: i64 },
    Refused(AdmissionFacts),
    KeyTaken { stored: StoredAnswer, credits_after: Option<i64> },
}

/// Admits and charges the whole batch or none of it, in one round trip. `claim` is the request's
/// Idempotency-Key claim on the first member, its answer the batch itself.
pub async fn admit(
    db: &Db,
    account_id: &AccountId,
    batch: &AdmittedBatch,
    description: &str,
    deadline: UnixMillis,
    claim: Option<&Claim<'_>>,
) -> worker::Result<Admission> {
    let first = text(batch.first().id.as_str());
    let tasks = u32::try_from(batch.members.len()).unwrap_or(u32::MAX);
    let (in_flight_below, recent_below) = admission_limits(tasks);
    let spec = &batch.spec;
    let (account, now) = (text(account_id.as_str()), int(batch.admitted_at.0));
    let (references, images) = (json_text(&spec.references)?, json_text(&spec.image_references)?);
    let mut statements = Vec::with_capacity(batch.members.len() * 3 + 6);
    if let Some(claim) = claim {
        statements.push(idempotency::claim(db, claim)?);
    }
    for (i, member) in batch.members.iter().enumerate() {
        let mut binds = vec![
            ("id", text(member.id.as_str())),
            ("account", account.clone()),
            ("prompt", text(&spec.prompt)),
            ("model_id", text(spec.model.as_str())),
            ("apipod_model", text(&spec.apipod_model)),
            ("aspect_ratio", text(spec.aspect_ratio.as_str())),
            ("quality", opt_text(spec.quality.as_ref().map(|quality| quality.as_str()))),
            ("references", references.clone()),
            ("cost", int(spec.cost)),
            ("deadline", int(deadline.0)),
            ("now", now.clone()),
            ("batch_id", text(batch.batch_id.as_str())),
            ("images", images.clone()),
        ];
        let admit = if i == 0 {
            binds.extend([
                ("total_cost", int(batch.total_cost())),
                ("in_flight_below", int(in_flight_below)),
                ("recent_below", int(recent_below)),
                ("idem_key", idempotency::key_bind(claim)),
            ]);
            ADMIT_FIRST
        } else {
            binds.push(("first", first.clone()));
            ADMIT_NEXT
        };
        statements.push(db.named(admit, &binds)?);
        statements.push(db.named(
            INSERT_DEBIT,
            &[
                ("entry", text(member.debit.as_str())),
                ("generation", text(member.id.as_str())),
                ("description", text(description)),
                ("now", now.clone()),
            ],
        )?);
        statements.push(db.prepare(APPLY_LEDGER_ENTRY).bind(&[text(member.debit.as_str())])?);
    }
    statements.push(db.named(
        TOUCH_REFERENCES,
        &[
            ("first", first.clone()),
            ("account", account.clone()),
            ("now", now.clone()),
            ("references", references.clone()),
        ],
    )?);
    if let Some(claim) = claim {
        statements.push(idempotency::release(db, claim)?);
        statements.push(idempotency::find(db, claim)?);
        statements.push(db.named(
            BALANCE_AFTER_KEYED_BATCH,
            &[("account", account.clone()), ("idem_key", text(claim.key.as_str()))],
        )?);
    }
    statements.push(db.named(
        ADMISSION_FACTS,
        &[
            ("first", first),
            ("account", account),
            ("now", now),
            ("references", references),
            ("images", images),
            ("recent_below", int(recent_below)),
        ],
    )?);
    let results = db.batch(statements).await?;
    let row = results.last().map(|r| r.results::<AdmissionRow>()).transpose()?.and_then(|mut rows| rows.pop());
    let row = row.ok_or_else(|| worker::Error::RustError("admission batch returned no facts".into()))?;
    if row.created != 0 {
        return Ok(Admission::Admitted { credits: row.facts.credits });
    }
    // Not admitted: a key still held after the release is another request's.
    if claim.is_none() {
        return Ok(Admission::Refused(row.facts));
    }
    let stored = results.get(results.len() - 3).map(idempotency::answer).transpose()?.flatten();
    let credits_after = results
        .get(results.len() - 2)
        .map(|r| r.results::<BalanceAfter>())
        .transpose()?
        .and_then(|mut rows| rows.pop())
        .and_then(|row| row.credits);
    Ok(match stored {
        Some(stored) => Admission::KeyTaken { stored, credits_after },
        None => Admission::Refused(row.facts),
    })
}
