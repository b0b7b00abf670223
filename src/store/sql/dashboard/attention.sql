SELECT 'billing_problem' AS source, reason AS kind, count(*) AS count, min(first_seen_at) AS oldest_at
FROM billing_problems WHERE resolved_at IS NULL GROUP BY reason
UNION ALL
SELECT 'stripe_event' AS source, type AS kind, count(*) AS count, min(first_received_at) AS oldest_at
FROM stripe_events INDEXED BY stripe_events_needing_attention WHERE outcome = 'needs_attention' GROUP BY type
ORDER BY source, kind
