SELECT model_id AS model, status,
 CASE WHEN status = 'succeeded' THEN max(0, (finished_at - created_at) / 1000) END AS bucket, count(*) AS count
FROM generations INDEXED BY generations_by_day
WHERE created_at / 86400000 BETWEEN ?1 AND ?2
GROUP BY model, status, bucket
ORDER BY model
