-- WebP renditions of every stored result (issue 15): a ~1280 px medium and a ~512 px preview, made once with the
-- Images binding when the result is stored. A NULL key means not made (yet): the original is served instead.
ALTER TABLE generation_images ADD COLUMN medium_key TEXT;
ALTER TABLE generation_images ADD COLUMN medium_etag TEXT;
ALTER TABLE generation_images ADD COLUMN medium_bytes INTEGER;
ALTER TABLE generation_images ADD COLUMN medium_width INTEGER;
ALTER TABLE generation_images ADD COLUMN medium_height INTEGER;
ALTER TABLE generation_images ADD COLUMN preview_key TEXT;
ALTER TABLE generation_images ADD COLUMN preview_etag TEXT;
ALTER TABLE generation_images ADD COLUMN preview_bytes INTEGER;
ALTER TABLE generation_images ADD COLUMN preview_width INTEGER;
ALTER TABLE generation_images ADD COLUMN preview_height INTEGER;
-- The cron makes what is missing: failed attempts so far, and when the next one is due (NULL: made, or given up).
ALTER TABLE generation_images ADD COLUMN renditions_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_images ADD COLUMN renditions_due_at INTEGER;

-- Existing results get theirs from the same sweep: a resumable backfill, oldest first.
UPDATE generation_images SET renditions_due_at = created_at;
CREATE INDEX generation_images_renditions_due ON generation_images (renditions_due_at) WHERE renditions_due_at IS NOT NULL;
