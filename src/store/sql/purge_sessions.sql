DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1
