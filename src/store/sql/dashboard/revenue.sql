SELECT created_at / 86400000 AS day, currency, count(*) AS payments, sum(amount_cents) AS gross_cents,
 sum(amount_reversed_cents) AS reversed_cents
FROM payments INDEXED BY payments_by_created
WHERE created_at >= ?1 AND created_at < ?2 AND status != 'failed'
GROUP BY day, currency
ORDER BY currency, day
