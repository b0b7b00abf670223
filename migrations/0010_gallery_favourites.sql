-- The gallery you can use (issue 16): favourites, and an index per filter so every filtered page walks an index in
-- (created_at DESC, id DESC) order instead of scanning or sorting. The prompt search has no index of its own: it
-- is checked on the rows of the account's index (see src/store/gallery_list.rs).
ALTER TABLE generations ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1));
-- Partial: only favourites are indexed, so it stays as small as the favourites are few.
CREATE INDEX generations_favourites ON generations (account_id, created_at DESC, id DESC) WHERE favourite = 1;
CREATE INDEX generations_by_account_model ON generations (account_id, model_id, created_at DESC, id DESC);
