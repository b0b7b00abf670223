SELECT model, status, bucket, sum(n) AS count FROM (
 SELECT model_id AS model, status, (finished_at - created_at) / 1000 AS bucket, count(*) AS n
 FROM generations INDEXED BY generations_by_day_model
 WHERE created_at / 86400000 BETWEEN ?1 AND ?2
 GROUP BY created_at / 86400000, model_id, status, (finished_at - created_at) / 1000)
GROUP BY model, status, bucket
ORDER BY model
