-- Stripe billing: customers on accounts, payments history, subscriptions as absolute state, and every
-- webhook event with its outcome. Times are milliseconds since the epoch unless named *_created (Stripe seconds).

ALTER TABLE accounts ADD COLUMN stripe_customer_id TEXT;
CREATE INDEX accounts_by_stripe_customer ON accounts (stripe_customer_id);

-- The transaction history the privacy policy mentions: one row per pack checkout or subscription invoice.
CREATE TABLE payments (
  id                       TEXT PRIMARY KEY,
  account_id               TEXT NOT NULL REFERENCES accounts (id),
  plan_id                  TEXT NOT NULL,
  kind                     TEXT NOT NULL CHECK (kind IN ('pack', 'subscription')),
  -- Checkout Session id for packs, invoice id for subscriptions.
  cause_id                 TEXT NOT NULL UNIQUE,
  stripe_payment_intent_id TEXT,
  stripe_subscription_id   TEXT,
  amount_cents             INTEGER NOT NULL,
  currency                 TEXT NOT NULL,
  credits_granted          INTEGER NOT NULL DEFAULT 0,
  credits_reclaimed        INTEGER NOT NULL DEFAULT 0 CHECK (credits_reclaimed <= credits_granted),
  amount_reversed_cents    INTEGER NOT NULL DEFAULT 0,
  status                   TEXT NOT NULL CHECK (status IN ('paid', 'failed', 'partially_refunded', 'refunded', 'disputed')),
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL
);
CREATE INDEX payments_by_payment_intent ON payments (stripe_payment_intent_id);
CREATE INDEX payments_by_account ON payments (account_id, created_at DESC);

CREATE TABLE subscriptions (
  id                   TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES accounts (id),
  customer_id          TEXT,
  plan_id              TEXT,
  status               TEXT NOT NULL,
  current_period_end   INTEGER,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  -- The Stripe `created` (seconds) and status rank of the event that last set the state:
  -- an older event never overwrites a newer one.
  state_event_created  INTEGER NOT NULL,
  state_rank           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_account ON subscriptions (account_id);

CREATE TABLE stripe_events (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  created           INTEGER NOT NULL,
  outcome           TEXT NOT NULL,
  deliveries        INTEGER NOT NULL DEFAULT 1,
  first_received_at INTEGER NOT NULL,
  last_received_at  INTEGER NOT NULL
);
