-- Issue 13, accounts: signup credits once per Google account for ever, and deletions that can get stuck.

-- One row per Google account that ever received signup credits: a keyed one-way hash of its subject
-- (HMAC-SHA256 with SESSION_SECRET, purpose-prefixed), never the subject itself. Kept after account deletion
-- for fraud prevention, as the privacy policy's retention section says.
CREATE TABLE signup_grants (
  subject_hash TEXT PRIMARY KEY,
  granted_at   INTEGER NOT NULL
);

-- Deletion retries back off after passing Stripe failures; a permanent refusal stops the retries and is
-- listed for an admin instead (a short reason such as "stripe_refused_400", never personal data).
ALTER TABLE accounts ADD COLUMN deletion_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN deletion_retry_at INTEGER;
ALTER TABLE accounts ADD COLUMN deletion_problem TEXT;
