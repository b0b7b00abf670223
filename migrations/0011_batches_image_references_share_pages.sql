-- Issue 16. Several images per request: the generations one request admitted share a batch id (NULL for older
-- rows, each its own request). Generated images as references: a JSON array of image ids beside the uploads.
-- Share pages: whether the owner chose to show the prompt on the public page (off unless chosen).
ALTER TABLE generations ADD COLUMN batch_id TEXT;
ALTER TABLE generations ADD COLUMN reference_image_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE generations ADD COLUMN share_shows_prompt INTEGER NOT NULL DEFAULT 0;
