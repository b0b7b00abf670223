-- Personal API keys (issue 17): only the SHA-256 of the secret is stored, with a short prefix its owner sees in the
-- list. Revoked keys stay (revoked_at) so the export can list them; the account's deletion removes them all.
CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  key_hash      TEXT NOT NULL UNIQUE,
  prefix        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);
-- The live keys of an account, newest first: the list, and the count the creation limit checks.
CREATE INDEX api_keys_live_by_account ON api_keys (account_id, created_at DESC) WHERE revoked_at IS NULL;

-- Fixed one-minute windows counting key requests: scope is 'key:<key id>' or 'acc:<account id>'. Each key request
-- deletes its scopes' older windows, so the table holds about one row per active key and account.
CREATE TABLE api_rate_windows (
  scope         TEXT NOT NULL,
  window_start  INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY (scope, window_start)
);
