-- The operator dashboard's GROUP BY queries (src/store/sql/dashboard/) read these indexes over the requested UTC
-- days only, never the tables. The day (`created_at / 86400000`) is an indexed expression: the queries filter and
-- group by it, so rows arrive already grouped and SQLite sorts only the (few) groups, never the window's rows.
-- bench/dashboard.mjs measures them at 1M generations (BENCHMARKS.md).

-- Generations per day, model, status and completion second (finished − requested, whole seconds): grouped in
-- index order first (no sort of the window's rows), then the few groups are summed per day or per model. Covering.
CREATE INDEX generations_by_day_model
  ON generations (created_at / 86400000, model_id, status, (finished_at - created_at) / 1000, finished_at, created_at);
-- Failed ones only: refunded per day (the refund lookup by id uses credit_ledger's UNIQUE (kind, source_id)), and
-- counts by failure code.
CREATE INDEX generations_failed_by_day ON generations (created_at / 86400000, failure_code, id, created_at)
  WHERE status = 'failed';
-- Credits sold and spent per day: a range of days per kind, covering.
CREATE INDEX credit_ledger_by_kind_day ON credit_ledger (kind, created_at / 86400000, amount, created_at);
-- Revenue per day and currency, covering.
CREATE INDEX payments_by_day ON payments (created_at / 86400000, status, currency, amount_cents, amount_reversed_cents, created_at);
-- Stripe events whose payment could not be applied.
CREATE INDEX stripe_events_needing_attention ON stripe_events (type, first_received_at) WHERE outcome = 'needs_attention';
