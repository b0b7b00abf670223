-- Reference uploads, generation jobs and their stored outputs. Times are milliseconds since the epoch.

CREATE TABLE uploads (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts (id),
  r2_key       TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes   INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX uploads_by_account ON uploads (account_id, created_at DESC);

CREATE TABLE generations (
  id                   TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES accounts (id),
  prompt               TEXT NOT NULL,
  model_id             TEXT NOT NULL,
  apipod_model         TEXT NOT NULL,
  aspect_ratio         TEXT NOT NULL,
  quality              TEXT,
  -- JSON array of upload ids.
  reference_upload_ids TEXT NOT NULL DEFAULT '[]',
  cost                 INTEGER NOT NULL CHECK (cost > 0),
  status               TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  failure_code         TEXT,
  failure_message      TEXT,
  apipod_task_id       TEXT,
  -- Polls done so far; a queue message carries the count it expects, so duplicates are dropped.
  poll_attempts        INTEGER NOT NULL DEFAULT 0,
  next_poll_at         INTEGER,
  deadline_at          INTEGER NOT NULL,
  share_token          TEXT UNIQUE,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  finished_at          INTEGER
);
CREATE INDEX generations_by_account ON generations (account_id, created_at DESC, id DESC);
CREATE INDEX generations_unfinished ON generations (status, deadline_at) WHERE status IN ('queued', 'running');

CREATE TABLE generation_images (
  id            TEXT PRIMARY KEY,
  generation_id TEXT NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
  account_id    TEXT NOT NULL,
  position      INTEGER NOT NULL,
  r2_key        TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL,
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  etag          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (generation_id, position)
);
CREATE INDEX generation_images_by_account ON generation_images (account_id);
