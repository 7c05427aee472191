"""Backup and restore of the whole site's data: every table of the database (submissions keep
their files in it, so they come along), as a gzip tar of JSON lines per table and a manifest
with the schema's migration revision.

A logical dump rather than pg_dump or a copy of the SQLite file: the same file restores into
SQLite or PostgreSQL (moving a class from one machine to a cluster is a backup and a
restore), and the web image needs no client tools matching the server's version.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, func, select, text

from webapp.db import make_engine
from webapp.migrate import current_revision, upgrade

FORMAT = 1
MANIFEST = "manifest.json"
ALEMBIC_TABLE = "alembic_version"
BATCH = 500


class BackupError(RuntimeError):
    """The backup cannot be made or restored; the message says why."""


@dataclass
class Manifest:
    revision: str
    tables: dict[str, int]  # table -> rows, in the order they are restored
    created_at: str
    format: int = FORMAT


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    if isinstance(value, dict) and "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    return value


def _tables(engine: Engine) -> MetaData:
    """The database's own tables (as migrated), parents before children."""
    metadata = MetaData()
    metadata.reflect(engine, only=lambda name, _: name != ALEMBIC_TABLE
                     and not name.startswith("sqlite_"))
    return metadata


def backup(database_url: str, target: Path) -> Manifest:
    """Write every row of the database at `database_url` to `target` (.tar.gz)."""
    revision = current_revision(database_url)
    if revision is None:
        raise BackupError("the database has no schema yet: nothing to back up")
    engine = make_engine(database_url)
    try:
        metadata = _tables(engine)
        counts: dict[str, int] = {}
        with tempfile.TemporaryDirectory() as scratch, engine.connect() as connection:
            for table in metadata.sorted_tables:
                path = Path(scratch) / f"{table.name}.jsonl"
                with path.open("w", encoding="utf-8") as out:
                    rows = connection.execution_options(yield_per=BATCH).execute(
                        select(table).order_by(*table.primary_key.columns))
                    counts[table.name] = 0
                    for row in rows.mappings():
                        out.write(json.dumps({k: _encode(v) for k, v in row.items()}) + "\n")
                        counts[table.name] += 1
            manifest = Manifest(revision, counts, datetime.now(UTC).isoformat())
            target.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(target, "w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(vars(manifest), indent=2).encode())
                for name in counts:
                    archive.add(Path(scratch) / f"{name}.jsonl", f"tables/{name}.jsonl")
    finally:
        engine.dispose()
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
        data = json.load(member) if member else None
    except (KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"not an archlab backup: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"not an archlab backup of format {FORMAT}")
    return Manifest(**data)


def _rows(archive: tarfile.TarFile, table: str) -> Iterator[dict[str, Any]]:
    member = archive.extractfile(f"tables/{table}.jsonl")
    if member is None:
        raise BackupError(f"the backup has no rows file for table {table}")
    for line in io.TextIOWrapper(member, encoding="utf-8"):
        yield {k: _decode(v) for k, v in json.loads(line).items()}


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {source}: {exc}") from exc


def restore(database_url: str, source: Path) -> Manifest:
    """Load the backup into an empty database, then migrate it to the newest schema."""
    with _open(source) as archive:
        manifest = read_manifest(archive)
        present = current_revision(database_url)
        if present not in (None, manifest.revision):
            raise BackupError(f"the database is at schema revision {present}, the backup at "
                              f"{manifest.revision}: restore into a new, empty database")
        upgrade(database_url, manifest.revision)
        engine = make_engine(database_url)
        try:
            _load(engine, archive, manifest)
        finally:
            engine.dispose()
    upgrade(database_url)
    return manifest


def _load(engine: Engine, archive: tarfile.TarFile, manifest: Manifest) -> None:
    metadata = _tables(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(f"table {table.name} already has rows: restore into a new, "
                                  f"empty database")
        for name in manifest.tables:
            table = metadata.tables[name]
            batch: list[dict[str, Any]] = []
            for row in _rows(archive, name):
                batch.append(row)
                if len(batch) >= BATCH:
                    connection.execute(table.insert(), batch)
                    batch = []
            if batch:
                connection.execute(table.insert(), batch)
        if engine.dialect.name == "postgresql":
            _move_sequences_past_rows(connection, metadata)


def _move_sequences_past_rows(connection: Any, metadata: MetaData) -> None:
    """Inserting ids by hand leaves PostgreSQL's id sequences at 1; the next insert would
    collide with a restored row."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                         {"t": table.name, "c": column.name})
            if sequence:
                connection.execute(text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") FROM '  # noqa: S608
                    f'"{table.name}"), 0) + 1, false)'), {"s": sequence})

