CREATE INDEX orders_recent ON orders (user_id, created_at DESC, id DESC);
