//! Retention: how long expired sessions and never-used reference uploads are kept before the cron purges them.

/// Sessions are kept this long after they expire or are revoked, then purged.
pub const SESSION_RETENTION_SECS: i64 = 7 * 24 * 60 * 60;
/// Reference uploads never used in a generation are purged after this long.
pub const UNUSED_UPLOAD_RETENTION_SECS: i64 = 30 * 24 * 60 * 60;
