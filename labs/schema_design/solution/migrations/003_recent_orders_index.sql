-- A user's orders newest first, paged by (created_at, id): equality column first, then the
-- sort columns in the ORDER BY's order, id last so the key is unique. INCLUDE makes the page
-- an index-only scan. It also serves the foreign key's lookups by user_id.
CREATE INDEX orders_user_recent
    ON orders (user_id, created_at DESC, id DESC)
    INCLUDE (product_id, quantity, price_cents);
