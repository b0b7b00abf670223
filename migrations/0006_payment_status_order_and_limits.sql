-- Issue 13 (billing and edge): a won dispute gives credits back, stripe_events is pruned after a retention, and
-- anonymous support is limited per client IP as well as per email. Times are milliseconds since the epoch.

-- payments.status gains 'dispute_won' (SQLite cannot change a CHECK in place, so the table is rebuilt with the
-- same columns and indexes). Statuses only move forward: paid < partially_refunded < refunded < disputed <
-- dispute_won (gptimg_domain::billing::PAYMENT_STATUS_ORDER); 'failed' stands apart. Nothing references payments.
CREATE TABLE payments_new (
  id                       TEXT PRIMARY KEY,
  account_id               TEXT NOT NULL REFERENCES accounts (id),
  plan_id                  TEXT NOT NULL,
  kind                     TEXT NOT NULL CHECK (kind IN ('pack', 'subscription')),
  cause_id                 TEXT NOT NULL UNIQUE,
  stripe_payment_intent_id TEXT,
  stripe_subscription_id   TEXT,
  amount_cents             INTEGER NOT NULL,
  currency                 TEXT NOT NULL,
  credits_granted          INTEGER NOT NULL DEFAULT 0,
  credits_reclaimed        INTEGER NOT NULL DEFAULT 0 CHECK (credits_reclaimed <= credits_granted),
  -- The most ever reversed (cumulative refunds, or the disputed amount); never decreases.
  amount_reversed_cents    INTEGER NOT NULL DEFAULT 0,
  status                   TEXT NOT NULL
    CHECK (status IN ('paid', 'failed', 'partially_refunded', 'refunded', 'disputed', 'dispute_won')),
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL
);
INSERT INTO payments_new SELECT id, account_id, plan_id, kind, cause_id, stripe_payment_intent_id,
  stripe_subscription_id, amount_cents, currency, credits_granted, credits_reclaimed, amount_reversed_cents, status,
  created_at, updated_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_by_payment_intent ON payments (stripe_payment_intent_id);
CREATE INDEX payments_by_account ON payments (account_id, created_at DESC);

-- The retention sweep deletes events last received more than 90 days ago (Stripe retries for 3 days), a bounded
-- batch per run, oldest first.
CREATE INDEX stripe_events_by_last_received ON stripe_events (last_received_at);

-- A keyed hash (HMAC-SHA256 under SESSION_SECRET, never the address in clear) of the client IP of an anonymous
-- support message, kept one hour for the per-IP limit and then cleared. Signed-in messages leave it NULL.
ALTER TABLE support_messages ADD COLUMN sender_ip_hash TEXT;
CREATE INDEX support_by_sender_ip ON support_messages (sender_ip_hash, created_at) WHERE sender_ip_hash IS NOT NULL;
