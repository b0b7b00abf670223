-- The shared images an operator features on the landing page ("Made with GPTImg"), in the order shown (each
-- generation's first image, as its share page shows it). A row goes with its generation (deleted singly, in bulk
-- or by the account's erasure: the cascade) and with its share (unsharing deletes it in the same batch); the
-- public list also requires the share to be live, so a row left behind by anything else never shows.
CREATE TABLE featured_images (
  generation_id TEXT PRIMARY KEY REFERENCES generations (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  featured_at   INTEGER NOT NULL
);
CREATE INDEX featured_images_by_position ON featured_images (position);
