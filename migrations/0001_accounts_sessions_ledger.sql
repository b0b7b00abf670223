-- Accounts keyed by Google subject, revocable sessions (token hashes only), and the credit ledger.
-- Times are milliseconds since the Unix epoch.

CREATE TABLE accounts (
  id              TEXT PRIMARY KEY,
  google_sub      TEXT NOT NULL UNIQUE,
  email           TEXT NOT NULL,
  name            TEXT NOT NULL,
  -- 'google' while the name follows Google's profile; 'user' once the user corrected it.
  name_source     TEXT NOT NULL DEFAULT 'google' CHECK (name_source IN ('google', 'user')),
  picture_url     TEXT,
  credits         INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_sign_in_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Balance and ledger change together in one batch; (kind, source_id) makes every cause count once.
CREATE TABLE credit_ledger (
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts (id),
  kind          TEXT NOT NULL,
  source_id     TEXT NOT NULL,
  amount        INTEGER NOT NULL,
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  description   TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (kind, source_id)
);
CREATE INDEX credit_ledger_by_account ON credit_ledger (account_id, created_at DESC, id DESC);
