SELECT id, r2_key, width, height, renditions_tries FROM generation_images WHERE renditions_due_at IS NOT NULL AND renditions_due_at <= ?1 ORDER BY renditions_due_at LIMIT ?2
