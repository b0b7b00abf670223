SELECT model_id AS model, status,
 CASE WHEN status = 'succeeded' THEN max(0, (finished_at - created_at) / 1000) END AS bucket, count(*) AS count
FROM generations INDEXED BY generations_by_created
WHERE created_at >= ?1 AND created_at < ?2
GROUP BY model, status, bucket
ORDER BY model
