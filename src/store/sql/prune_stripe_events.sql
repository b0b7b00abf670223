DELETE FROM stripe_events WHERE id IN (SELECT id FROM stripe_events WHERE last_received_at < ?1 ORDER BY last_received_at LIMIT ?2)
