SELECT day, status, sum(n) AS count, 0 AS refunded FROM (
 SELECT created_at / 86400000 AS day, status, count(*) AS n
 FROM generations INDEXED BY generations_by_day_model
 WHERE created_at / 86400000 BETWEEN ?1 AND ?2
 GROUP BY created_at / 86400000, model_id, status)
GROUP BY day, status
UNION ALL
SELECT created_at / 86400000 AS day, 'failed' AS status, 0 AS count, count(*) AS refunded
FROM generations g INDEXED BY generations_failed_by_day
WHERE status = 'failed' AND created_at / 86400000 BETWEEN ?1 AND ?2
 AND EXISTS (SELECT 1 FROM credit_ledger l WHERE l.kind = 'generation_refund' AND l.source_id = g.id)
GROUP BY created_at / 86400000
