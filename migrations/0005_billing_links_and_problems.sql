-- Stripe at API version 2026-10-28.endive: an invoice no longer names its PaymentIntent, so the link arrives in its
-- own event (`invoice_payment.paid`), before or after `invoice.paid`; and paid events that cannot be applied are
-- kept for an operator instead of being acknowledged and forgotten. Times are milliseconds since the epoch.

-- Which PaymentIntent paid which invoice: how a refund or dispute (which names only the intent) finds the
-- subscription payment that granted credits, whichever of the two events came first.
CREATE TABLE invoice_payments (
  id                TEXT PRIMARY KEY,  -- Stripe invoice_payment id (inpay_...)
  invoice_id        TEXT NOT NULL,
  payment_intent_id TEXT NOT NULL,
  amount_cents      INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  created_at        INTEGER NOT NULL
);
CREATE INDEX invoice_payments_by_invoice ON invoice_payments (invoice_id);
CREATE INDEX invoice_payments_by_intent ON invoice_payments (payment_intent_id);

-- A paid event that could not be applied (unknown plan, account or payment). Stripe was answered non-2xx and keeps
-- retrying; the retry that applies it marks the row 'applied', or an admin 'dismissed' it (then retries get 2xx).
CREATE TABLE billing_problems (
  event_id      TEXT PRIMARY KEY,
  event_type    TEXT NOT NULL,
  reason        TEXT NOT NULL CHECK (reason IN ('unknown_plan', 'unknown_account', 'unknown_payment')),
  -- JSON: the ids and amounts needed to act (invoice, customer, price, plan, payment intent...), never secrets.
  facts         TEXT NOT NULL,
  deliveries    INTEGER NOT NULL DEFAULT 1,
  first_seen_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  resolved_at   INTEGER,
  resolution    TEXT CHECK (resolution IN ('applied', 'dismissed')),
  resolved_by   TEXT
);
CREATE INDEX billing_problems_by_state ON billing_problems (resolved_at, last_seen_at DESC);
