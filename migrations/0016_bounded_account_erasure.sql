-- Issue 25 (storage). Account deletion no longer erases everything in its first batch: that batch only gates the
-- account (sessions, keys, the account row's personal fields, deletion_started_at), and the rest of its data
-- (generations and images, uploads, stored answers, support messages, ledger texts, R2 objects) is erased in
-- bounded chunks, after the request and by the cron, until nothing is left. deletion_erased_at records that
-- moment; deleted_at still waits for Stripe's cancellations as before. Times are milliseconds since the epoch.
ALTER TABLE accounts ADD COLUMN deletion_erased_at INTEGER;

-- The erasures the cron resumes, oldest first: whatever the state of their Stripe cancellations.
CREATE INDEX accounts_erasing ON accounts (deletion_started_at)
  WHERE deletion_started_at IS NOT NULL AND deletion_erased_at IS NULL AND deleted_at IS NULL;
