"""PostgreSQL access for the messages service, one short-lived connection per call."""

import psycopg

TIMEOUT_S = 2


class DatabaseDown(Exception):
    pass


def _connect(url):
    try:
        return psycopg.connect(url, connect_timeout=TIMEOUT_S, autocommit=True)
    except psycopg.OperationalError as exc:
        raise DatabaseDown(str(exc)) from exc


def run(url, *statements):
    """Run the statements in order on one connection; the rows of the last one."""
    conn = _connect(url)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS messages "
                     "(id bigserial PRIMARY KEY, text text NOT NULL)")
        rows = []
        for sql, params in statements:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
        return rows
    except psycopg.OperationalError as exc:
        raise DatabaseDown(str(exc)) from exc
    finally:
        conn.close()
