"""A submission's files as one gzip'd tar blob: packed from a dict, unpacked with no surprises.

Paths are checked when packing (relative, no `..`, no empty parts) and again when unpacking
(only regular files), so a row can never write outside its scratch folder.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path, PurePosixPath

from labs.submission import MAX_BYTES, MAX_FILES

CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a NUL ends a tar name early: "x/..\0" -> "x/.."


class BadFiles(ValueError):
    """The files cannot be a submission; the message says why, for the learner."""


def clean_path(raw: str) -> str:
    """`raw` as a safe relative POSIX path, or BadFiles."""
    path = raw.replace("\\", "/")
    parts = PurePosixPath(path).parts
    if not path or path.startswith("/") or not parts:
        raise BadFiles(f"{raw!r} is not a relative file path")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise BadFiles(f"{raw!r} may not contain '.', '..' or empty parts")
    if CONTROL.search(path):
        raise BadFiles(f"{raw!r} may not contain control characters")
    return path


def pack(files: dict[str, bytes]) -> bytes:
    """The files as a tar.gz; BadFiles when there are none, too many, too big or badly named."""
    if not files:
        raise BadFiles("the submission has no files")
    if len(files) > MAX_FILES:
        raise BadFiles(f"the submission has more than {MAX_FILES} files")
    if sum(len(data) for data in files.values()) > MAX_BYTES:
        raise BadFiles(f"the submission is larger than {MAX_BYTES // 1024} KiB")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for raw in sorted(files):
            data = files[raw]
            info = tarfile.TarInfo(clean_path(raw))
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack(blob: bytes) -> dict[str, bytes]:
    """The files of a blob made by `pack` (members that are not regular files are refused)."""
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member in tar:
            if not member.isfile():
                raise BadFiles(f"{member.name!r} is not a regular file")
            extracted = tar.extractfile(member)
            assert extracted is not None  # regular files always have data
            files[clean_path(member.name)] = extracted.read()
    return files


def write_tree(blob: bytes, directory: Path) -> None:
    """Write the blob's files under `directory`."""
    for name, data in unpack(blob).items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
