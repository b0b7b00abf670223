SELECT created_at / 86400000 AS day, currency, count(*) AS payments, sum(amount_cents) AS gross_cents,
 sum(amount_reversed_cents) AS reversed_cents
FROM payments INDEXED BY payments_by_day
WHERE created_at / 86400000 BETWEEN ?1 AND ?2 AND status != 'failed'
GROUP BY created_at / 86400000, currency
ORDER BY currency, day
