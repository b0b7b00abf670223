SELECT id, status, model_id, poll_attempts, apipod_task_id, (deadline_at <= ?1) AS past_deadline FROM generations
WHERE status IN ('queued', 'running') AND (deadline_at <= ?1 OR (status = 'running' AND next_poll_at < ?1 - 120000)
OR (status = 'queued' AND COALESCE(next_poll_at, created_at) < ?1 - 120000)) LIMIT 100
