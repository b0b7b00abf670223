-- R2 objects still to delete, and the indexes every cron sweep query needs (issue 13). Times are milliseconds.

-- A durable to-do list: written in the same D1 batch that forgets the rows naming these keys, and a key leaves
-- it only after R2 confirmed the delete, so no object is ever orphaned by a crash or an R2 failure mid-way.
CREATE TABLE r2_deletions (
  id         INTEGER PRIMARY KEY,
  r2_key     TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- Retention: dead sessions (expired, or revoked) and uploads never used by a generation.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX uploads_never_used ON uploads (created_at) WHERE last_used_at IS NULL;
