SELECT id FROM accounts WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL AND deletion_started_at < ?1 - 60000 LIMIT 20
