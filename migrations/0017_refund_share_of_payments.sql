-- The credits a payment's refunds justify taking back (the largest refund target seen), kept apart from what was
-- actually taken: a dispute may take everything first, so a refund delivered after it takes nothing, and a won
-- dispute must then give back only what the refunds do not justify keeping.
ALTER TABLE payments ADD COLUMN credits_refund_target INTEGER NOT NULL DEFAULT 0 CHECK (credits_refund_target >= 0);
