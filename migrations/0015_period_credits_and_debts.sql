-- Subscription credits once per period, plan changes and refunds after the credits were spent. Times are
-- milliseconds since the epoch.

-- A subscription period's credits are granted once, whichever invoice pays it: the first invoice to claim
-- `subscription:period_end` (gptimg_domain::billing::PeriodGrant::key) grants them; another invoice for the same
-- period (a replacement, a replay under a new id) grants nothing.
CREATE TABLE subscription_periods (
  period_key TEXT PRIMARY KEY,
  invoice_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- A negative balance exists only as a recorded debt: `credits` stays >= 0 (so a debit guarded by it can never
-- overspend) and what a refund or dispute could not take back is `credit_debt`. The balance an account has is
-- credits - credit_debt; a ledger entry's is balance_after - debt_after. Credits that come in pay the debt first.
ALTER TABLE accounts ADD COLUMN credit_debt INTEGER NOT NULL DEFAULT 0 CHECK (credit_debt >= 0);
ALTER TABLE credit_ledger ADD COLUMN debt_after INTEGER NOT NULL DEFAULT 0 CHECK (debt_after >= 0);

-- A dispute's last known status, kept whatever order its events arrive in: a `charge.dispute.created` after the
-- dispute closed with the money kept takes nothing back.
CREATE TABLE dispute_outcomes (
  dispute_id        TEXT PRIMARY KEY,
  payment_intent_id TEXT,
  status            TEXT NOT NULL,
  -- 1 when the money stayed with us (won, warning_closed, prevented: DisputeClosed::money_kept).
  money_kept        INTEGER NOT NULL CHECK (money_kept IN (0, 1)),
  event_created     INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);

-- billing_problems.reason gains what an operator must see even though the event was applied: an account left in
-- debt, and a subscription Stripe recorded after its account's deletion began (cancelled by the deletion's retries).
-- SQLite cannot change a CHECK in place, so the table is rebuilt with the same columns and index.
CREATE TABLE billing_problems_new (
  event_id      TEXT PRIMARY KEY,
  event_type    TEXT NOT NULL,
  reason        TEXT NOT NULL CHECK (reason IN ('unknown_plan', 'unknown_account', 'unknown_payment',
                  'account_in_debt', 'subscription_after_deletion')),
  facts         TEXT NOT NULL,
  deliveries    INTEGER NOT NULL DEFAULT 1,
  first_seen_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  resolved_at   INTEGER,
  resolution    TEXT CHECK (resolution IN ('applied', 'dismissed')),
  resolved_by   TEXT
);
INSERT INTO billing_problems_new SELECT event_id, event_type, reason, facts, deliveries, first_seen_at, last_seen_at,
  resolved_at, resolution, resolved_by FROM billing_problems;
DROP TABLE billing_problems;
ALTER TABLE billing_problems_new RENAME TO billing_problems;
CREATE INDEX billing_problems_by_state ON billing_problems (resolved_at, last_seen_at DESC);
