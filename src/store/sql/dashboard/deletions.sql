-- "Stuck" as the admin list of stuck deletions has it (STUCK_DELETIONS in src/store/privacy.rs).
SELECT 'accounts' AS source, 'deletion_pending' AS kind, count(*) AS count, min(deletion_started_at) AS oldest_at
FROM accounts WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT 'accounts' AS source, 'deletion_stuck' AS kind, count(*) AS count, min(deletion_started_at) AS oldest_at
FROM accounts WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL
 AND (deletion_problem IS NOT NULL OR deletion_attempts >= 5)
UNION ALL
SELECT 'r2' AS source, 'objects_pending_deletion' AS kind, count(*) AS count, min(created_at) AS oldest_at
FROM r2_deletions
