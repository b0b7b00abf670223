-- Issue 17. Idempotency-Key on POST /api/generations and POST /api/uploads: the first answer per (account,
-- operation, key), written in the same batch as the effect it describes (`claim` is that effect's id: the first
-- generation or the upload), replayed for 24 hours; the sweep deletes older rows (index on created_at).
CREATE TABLE idempotency_keys (
  account_id  TEXT NOT NULL REFERENCES accounts (id),
  operation   TEXT NOT NULL,
  idem_key    TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  claim       TEXT NOT NULL,
  status      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (account_id, operation, idem_key)
);
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);
