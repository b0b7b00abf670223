-- Terms and age consent, account deletion state, support messages and replies, and the admin audit log.

ALTER TABLE accounts ADD COLUMN terms_version TEXT;
ALTER TABLE accounts ADD COLUMN terms_accepted_at INTEGER;
ALTER TABLE accounts ADD COLUMN age_confirmed_at INTEGER;
-- Deletion is resumable: started (personal data erased) then finished (sessions gone, files purged).
ALTER TABLE accounts ADD COLUMN deletion_started_at INTEGER;
ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;
CREATE INDEX accounts_pending_deletion ON accounts (deletion_started_at) WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE support_messages (
  id         TEXT PRIMARY KEY,
  -- NULL for messages sent without signing in.
  account_id TEXT REFERENCES accounts (id),
  email      TEXT NOT NULL,
  subject    TEXT NOT NULL,
  message    TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX support_by_account ON support_messages (account_id, created_at DESC);
CREATE INDEX support_by_email ON support_messages (email, created_at DESC);
CREATE INDEX support_by_status ON support_messages (status, created_at DESC);

CREATE TABLE support_replies (
  id               TEXT PRIMARY KEY,
  message_id       TEXT NOT NULL REFERENCES support_messages (id) ON DELETE CASCADE,
  admin_account_id TEXT NOT NULL,
  body             TEXT NOT NULL,
  created_at       INTEGER NOT NULL
);
CREATE INDEX support_replies_by_message ON support_replies (message_id, created_at);

-- Every admin action: who, what, on what, with which details (ids and amounts, never personal data).
CREATE TABLE audit_log (
  id               TEXT PRIMARY KEY,
  admin_account_id TEXT NOT NULL,
  action           TEXT NOT NULL,
  target_id        TEXT,
  details          TEXT NOT NULL,
  created_at       INTEGER NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (created_at DESC);
