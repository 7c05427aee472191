"""Uploaded zip/tar archives turned into a workspace's files, and the workspace as a zip.

An upload is hostile until proven otherwise: every entry is checked before a byte of it is
kept (regular files only, relative paths without `..`, UTF-8 text), and sizes are capped by
what the archive declares, by what actually comes out of it, and by the compression ratio,
so neither a zip bomb nor ten thousand tiny files costs more than the caps.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Iterator

from labs.submission import MAX_BYTES, MAX_FILES
from webapp.grading.archive import BadFiles, clean_path

MAX_UPLOAD_BYTES = MAX_BYTES  # the archive itself, as sent
MAX_FILE_BYTES = 1024 * 1024  # one file, unpacked
MAX_RATIO = 100  # unpacked size / packed size of a zip entry
SKIPPED_PARTS = {"__pycache__", ".git", ".DS_Store", "__MACOSX"}


class UploadRejected(ValueError):
    """The archive cannot become a workspace; the message names the offending entry."""


def read_upload(data: bytes) -> dict[str, bytes]:
    """The files of a zip or tar (optionally gzip/bz2/xz compressed) archive, checked."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"the archive is larger than {MAX_UPLOAD_BYTES // 1024} KiB")
    entries = _zip_entries(data) if zipfile.is_zipfile(io.BytesIO(data)) else _tar_entries(data)
    files: dict[str, bytes] = {}
    total = 0
    for name, content in entries:
        path = _checked_path(name)
        if path is None:
            continue
        if path in files:
            raise UploadRejected(f"{name}: the archive holds this path twice")
        if len(files) >= MAX_FILES:
            raise UploadRejected(f"{name}: the archive has more than {MAX_FILES} files")
        total += len(content)
        if total > MAX_BYTES:
            raise UploadRejected(f"{name}: the files add up to more than "
                                 f"{MAX_BYTES // 1024} KiB")
        check_text(path, content)
        files[path] = content
    if not files:
        raise UploadRejected("the archive holds no files")
    return files


def check_text(path: str, content: bytes) -> None:
    """UploadRejected unless `content` is UTF-8 text (the editor shows nothing else)."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadRejected(f"{path}: not UTF-8 text (byte {exc.start}); only text files "
                             "can be uploaded") from exc


def _checked_path(name: str) -> str | None:
    """The entry's path, None for folders and tool clutter, UploadRejected for unsafe ones."""
    if name.endswith("/"):
        return None
    try:
        path = clean_path(name)
    except BadFiles as exc:
        raise UploadRejected(f"{name}: unsafe path ({exc})") from exc
    if SKIPPED_PARTS.intersection(path.split("/")):
        return None
    return path


def _zip_entries(data: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > 2 * MAX_FILES:
            raise UploadRejected(f"{infos[2 * MAX_FILES].filename}: the archive has more "
                                 f"than {MAX_FILES} files")
        for info in infos:
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # no type bits: a plain file
                raise UploadRejected(f"{info.filename}: {_kind(mode)}; only regular files "
                                     "are allowed")
            _check_size(info.filename, info.file_size)
            if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UploadRejected(f"{info.filename}: compressed more than {MAX_RATIO}:1 "
                                     "(a zip bomb?)")
            with archive.open(info) as entry:
                content = entry.read(MAX_FILE_BYTES + 1)  # the header's size may lie
            _check_size(info.filename, len(content))
            yield info.filename, content


def _open_tar(data: bytes) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except tarfile.TarError as exc:
        raise UploadRejected("the upload is not a zip or tar archive") from exc


def _tar_entries(data: bytes) -> Iterator[tuple[str, bytes]]:
    with _open_tar(data) as archive:
        for count, member in enumerate(_members(archive)):
            if count >= 2 * MAX_FILES:
                raise UploadRejected(f"{member.name}: the archive has more than {MAX_FILES} "
                                     "files")
            if member.isdir():
                continue
            if not member.isreg():
                raise UploadRejected(f"{member.name}: {_tar_kind(member)}; only regular "
                                     "files are allowed")
            _check_size(member.name, member.size)
            extracted = archive.extractfile(member)
            assert extracted is not None  # regular members always have data
            yield member.name, extracted.read(MAX_FILE_BYTES + 1)


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The archive's members one by one (never the whole index in memory), read errors
    turned into a rejection."""
    while True:
        try:
            member = archive.next()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise UploadRejected(f"the archive is damaged ({exc})") from exc
        if member is None:
            return
        yield member


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise UploadRejected(f"{name}: larger than {MAX_FILE_BYTES // 1024} KiB")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a regular file"


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.isdev():
        return "a FIFO" if member.isfifo() else "a device"
    return "not a regular file"


def zip_of(files: dict[str, bytes]) -> bytes:
    """The files as a zip (what Download gives and Upload takes back)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()
