INSERT INTO r2_deletions (r2_key, created_at)
SELECT r2_key, ?2 FROM uploads WHERE last_used_at IS NULL AND created_at < ?1 ORDER BY created_at, id LIMIT ?3
ON CONFLICT (r2_key) DO NOTHING
