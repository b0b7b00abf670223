SELECT id, r2_key FROM r2_deletions WHERE id > ?1 ORDER BY id LIMIT ?2
