"""Apply migrations/*.sql once each, in name order, recording each in schema_migrations.

A file is applied in the same transaction as its row in schema_migrations, so a crash leaves
it either applied and recorded or neither; the next start skips what is recorded. That makes
starting the app twice harmless without asking every statement to be idempotent.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = 3_031_977  # one app instance migrates at a time (pg_advisory_xact_lock)


def migrate(url: str) -> list[str]:
    """Apply what is not applied yet; the versions applied now."""
    applied_now = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version text PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now())")
        for path in sorted(MIGRATIONS.glob("*.sql")):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s",
                                    (path.stem,)).fetchone()
                if done:
                    continue
                conn.execute(path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)",
                             (path.stem,))
                applied_now.append(path.stem)
    return applied_now
