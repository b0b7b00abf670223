SELECT created_at / 86400000 AS day, kind, sum(amount) AS amount
FROM credit_ledger INDEXED BY credit_ledger_by_kind_created
WHERE kind IN ('pack_purchase', 'subscription_credits', 'generation_debit', 'generation_refund')
 AND created_at >= ?1 AND created_at < ?2
GROUP BY day, kind
