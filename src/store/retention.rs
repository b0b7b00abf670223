//! Retention in D1: one batch forgets what the privacy policy keeps only for a while.

use gptimg_domain::time::UnixMillis;

use super::{int, Db};

/// Uploads never used that one retention run forgets (their keys move to the R2 deletion to-do).
pub const MAX_UPLOADS_PER_RUN: i64 = 500;

/// Retention, one batch: expired or revoked sessions past their grace period, the oldest uploads never used (whose R2
/// keys are listed on the deletion to-do before their rows go), old Stripe event records and support network hashes.
pub async fn purge_expired(
    db: &Db,
    session_cutoff: UnixMillis,
    upload_cutoff: UnixMillis,
    now: UnixMillis,
) -> worker::Result<()> {
    let uploads = [int(upload_cutoff.0), int(now.0), int(MAX_UPLOADS_PER_RUN)];
    db.batch(vec![
        db.prepare(include_str!("sql/purge_sessions.sql")).bind(&[int(session_cutoff.0)])?,
        db.prepare(include_str!("sql/forget_unused_uploads.sql")).bind(&uploads)?,
        db.prepare(include_str!("sql/purge_unused_uploads.sql")).bind(&uploads)?,
        super::billing::prune_stripe_events(db, now)?,
        super::support::forget_sender_hashes(db, now)?,
        super::idempotency::prune(db, now)?,
    ])
    .await?;
    Ok(())
}
