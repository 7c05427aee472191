"""Schema migrations: every migrations/*.sql file once, in name order, recorded by version."""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "migrations"


def pending(applied):
    return [path for path in sorted(FOLDER.glob("*.sql")) if path.stem not in applied]


def run(conn):
    """`conn` is an autocommit psycopg connection; each file commits with its record."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
    applied = {version for (version,) in conn.execute("SELECT version FROM schema_migrations")}
    for path in pending(applied):
        with conn.transaction():
            conn.execute(path.read_text())
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (path.stem,))
        print(f"applied {path.name}", flush=True)
