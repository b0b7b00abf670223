UPDATE support_messages SET sender_ip_hash = NULL WHERE sender_ip_hash IS NOT NULL AND created_at <= ?1 - 3600000
