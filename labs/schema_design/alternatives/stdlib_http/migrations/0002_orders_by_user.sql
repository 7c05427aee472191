-- Ascending columns: the newest-first page is read backwards.
CREATE INDEX orders_by_user ON orders (user_id, created_at, id);
