SELECT 'generations' AS source, coalesce(failure_code, 'unknown') AS kind, count(*) AS count,
 min(created_at) AS oldest_at
FROM generations INDEXED BY generations_failed_by_day
WHERE status = 'failed' AND created_at / 86400000 BETWEEN ?1 AND ?2
GROUP BY kind
ORDER BY count DESC, kind
