DELETE FROM uploads WHERE id IN
(SELECT id FROM uploads WHERE last_used_at IS NULL AND created_at < ?1 ORDER BY created_at, id LIMIT ?3)
