DELETE FROM r2_deletions WHERE id IN (SELECT value FROM json_each(?1))
