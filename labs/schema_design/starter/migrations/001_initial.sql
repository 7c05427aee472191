-- The first schema, written in a hurry. Run on every start; nothing records that it ran.
CREATE TABLE IF NOT EXISTS users (
    id    bigserial PRIMARY KEY,
    email text NOT NULL,
    name  text NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
    id          bigserial PRIMARY KEY,
    name        text    NOT NULL,
    price_cents integer NOT NULL,
    stock       integer NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
    id         bigserial PRIMARY KEY,
    user_id    bigint  NOT NULL,
    product_id bigint  NOT NULL,
    quantity   integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
