-- The whole first schema in one migration, with named constraints.
CREATE TABLE users (
    id    bigserial PRIMARY KEY,
    email text NOT NULL CONSTRAINT users_email_unique UNIQUE,
    name  text NOT NULL
);

CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    name        text   NOT NULL,
    price_cents bigint NOT NULL CONSTRAINT price_not_negative CHECK (price_cents >= 0),
    stock       bigint NOT NULL CONSTRAINT stock_not_negative CHECK (stock >= 0)
);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL CONSTRAINT orders_user REFERENCES users,
    product_id  bigint NOT NULL CONSTRAINT orders_product REFERENCES products,
    quantity    bigint NOT NULL CHECK (quantity > 0),
    price_cents bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
