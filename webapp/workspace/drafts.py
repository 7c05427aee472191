"""A learner's draft of a lab: the files the workspace shows, saved as they are edited.

A draft starts as a copy of the lab's starter/ (never solution/) and is stored as the same
gzip'd tar a submission uses, with the same caps, so Grade hands it over unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.catalog import starter_dir
from labs.spec import Lab
from webapp.grading.archive import BadFiles, clean_path, pack, unpack
from webapp.models import Draft, User, utcnow
from webapp.workspace.archive import MAX_FILE_BYTES, SKIPPED_PARTS, UploadRejected, check_text


def starter_files(lab: Lab) -> dict[str, bytes]:
    """The lab's starter/ files, keyed by their path inside it."""
    root = starter_dir(lab)
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.is_symlink() and not _clutter(path, root)}


def _clutter(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    return path.suffix == ".pyc" or bool(SKIPPED_PARTS.intersection(relative.parts))


def _row(session: Session, user: User, lab_id: str) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.lab_id == lab_id))


def load(session: Session, user: User, lab: Lab) -> dict[str, bytes]:
    """The learner's draft files; the starter files until they save something."""
    row = _row(session, user, lab.id)
    return unpack(row.files) if row is not None else starter_files(lab)


def store(session: Session, user: User, lab: Lab, files: dict[str, bytes]) -> None:
    """Replace the draft with `files`; BadFiles when they break the submission caps."""
    for path, content in files.items():
        if len(content) > MAX_FILE_BYTES:
            raise BadFiles(f"{path} is larger than {MAX_FILE_BYTES // 1024} KiB")
        try:
            check_text(path, content)
        except UploadRejected as exc:
            raise BadFiles(str(exc)) from exc
    blob = pack(files)
    row = _row(session, user, lab.id)
    if row is None:
        session.add(Draft(user_id=user.id, lab_id=lab.id, files=blob, updated_at=utcnow()))
    else:
        row.files, row.updated_at = blob, utcnow()
    session.commit()


class StaleFile(Exception):
    """The file is not the one the editor changed: another tab or window saved it since."""


def version(content: bytes) -> str:
    """A file's fingerprint, which the editor gets with the files and sends back with a save
    as the version it changed."""
    return hashlib.sha256(content).hexdigest()[:16]


def write_file(session: Session, user: User, lab: Lab, path: str, content: bytes,
               base: str | None = None) -> None:
    """Save one file; with `base` (the version the editor changed; a missing file is the
    empty one) only if the stored file still is that version, else StaleFile."""
    files = load(session, user, lab)
    path = clean_path(path)
    if base is not None and version(files.get(path, b"")) != base:
        raise StaleFile(path)
    files[path] = content
    store(session, user, lab, files)


def delete_file(session: Session, user: User, lab: Lab, path: str) -> None:
    files = load(session, user, lab)
    if files.pop(path, None) is None:
        raise BadFiles(f"there is no file {path!r}")
    store(session, user, lab, files)


def rename_file(session: Session, user: User, lab: Lab, path: str, new_path: str) -> None:
    files = load(session, user, lab)
    target = clean_path(new_path)
    if path not in files:
        raise BadFiles(f"there is no file {path!r}")
    if target in files:
        raise BadFiles(f"{target!r} already exists")
    files[target] = files.pop(path)
    store(session, user, lab, files)


def reset(session: Session, user: User, lab: Lab) -> dict[str, bytes]:
    """Throw the draft away: the learner is back at the starter files."""
    row = _row(session, user, lab.id)
    if row is not None:
        session.delete(row)
        session.commit()
    return starter_files(lab)
