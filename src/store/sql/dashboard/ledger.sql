SELECT created_at / 86400000 AS day, kind, sum(amount) AS amount
FROM credit_ledger INDEXED BY credit_ledger_by_kind_day
WHERE kind IN ('pack_purchase', 'subscription_credits', 'generation_debit', 'generation_refund')
 AND created_at / 86400000 BETWEEN ?1 AND ?2
GROUP BY kind, created_at / 86400000
