INDEXED BY generations_favourites WHERE g.account_id = ?1 AND g.favourite = 1 AND (g.created_at, g.id) < (?2, ?3)
  AND (?5 IS NULL OR instr(lower(g.prompt), ?5) > 0) AND (?6 IS NULL OR g.model_id = ?6)
  ORDER BY g.created_at DESC, g.id DESC LIMIT ?4
