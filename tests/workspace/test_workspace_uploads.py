"""Uploads: a zip or tar replaces the draft; hostile archives are refused with a message naming
the offending entry, and the draft is left as it was."""

from __future__ import annotations

import io
import os
import re
import stat
import tarfile
import zipfile

import pytest

from tests.grading.grading_helpers import TOY_LAB
from tests.workspace.workspace_helpers import Workspace
from webapp.workspace.archive import UploadRejected, read_upload

STARTER = (TOY_LAB / "starter" / "app.py").read_text()


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info


def tar_of(members: list[tuple[tarfile.TarInfo, bytes]], compression: str = "gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as archive:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def tar_entry(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_a_zip_replaces_the_draft(toy: Workspace) -> None:
    response = toy.upload(zip_of([("app.py", b"print(1)\n"), ("pkg/", b""),
                                  ("pkg/mod.py", b"X = 2\n"), ("__pycache__/app.pyc", b"\0")]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert toy.files() == {"app.py": "print(1)\n", "pkg/mod.py": "X = 2\n"}


def test_a_tar_gz_replaces_the_draft(toy: Workspace) -> None:
    response = toy.upload(tar_of([(tar_entry("app.py"), b"print(2)\n")]), "work.tar.gz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert toy.files() == {"app.py": "print(2)\n"}


def test_download_then_upload_round_trips(toy: Workspace) -> None:
    toy.save("lib/x.py", "Y = 3\n")
    before = toy.files()
    assert toy.upload(zip_of(list(toy.download().items()))).status_code == 200
    assert toy.files() == before


HOSTILE = {
    "dotdot in zip": (zip_of([("../evil.py", b"x")]), "../evil.py: unsafe path"),
    "absolute in zip": (zip_of([("/etc/evil.py", b"x")]), "/etc/evil.py: unsafe path"),
    "dotdot in tar": (tar_of([(tar_entry("a/../../evil.py"), b"x")]),
                      "a/../../evil.py: unsafe path"),
    "absolute in tar": (tar_of([(tar_entry("/tmp/evil.py"), b"x")]), "/tmp/evil.py: unsafe path"),
    "symlink in zip": (zip_of([(zip_entry("link.py", stat.S_IFLNK | 0o777), b"/etc/passwd")]),
                       "link.py: a symbolic link"),
    "symlink in tar": (tar_of([(tar_entry("link.py", tarfile.SYMTYPE, "/etc/passwd"), b"")]),
                       "link.py: a symbolic link"),
    "hardlink in tar": (tar_of([(tar_entry("app.py"), b"x"),
                                (tar_entry("hard.py", tarfile.LNKTYPE, "app.py"), b"")]),
                        "hard.py: a hard link"),
    "device in tar": (tar_of([(tar_entry("dev", tarfile.CHRTYPE), b"")]), "dev: a device"),
    "device in zip": (zip_of([(zip_entry("dev", stat.S_IFCHR | 0o666), b"")]), "dev: a device"),
    "fifo in tar": (tar_of([(tar_entry("pipe", tarfile.FIFOTYPE), b"")]), "pipe: a FIFO"),
    "zip bomb ratio": (zip_of([("zeros.txt", b"0" * 900_000)]),
                       "zeros.txt: compressed more than 100:1"),
    "oversize file": (zip_of([("big.txt", os.urandom(600_000).hex().encode())]),
                      "big.txt: larger than 1024 KiB"),
    "binary file": (zip_of([("image.png", b"\x89PNG\r\n\x1a\n\xff\xfe")]),
                    "image.png: not UTF-8 text"),
    "ten thousand files": (zip_of([(f"f{i}.txt", b"") for i in range(10_000)]),
                           "the archive has more than 500 files"),
    "oversize archive": (os.urandom(5 * 1024 * 1024 + 1), "the archive is larger than 5120 KiB"),
    "not an archive": (b"just some text", "the upload is not a zip or tar archive"),
    "empty archive": (zip_of([("folder/", b"")]), "the archive holds no files"),
    "same path twice": (tar_of([(tar_entry("app.py"), b"a"), (tar_entry("./app.py"), b"b")]),
                        "./app.py: unsafe path"),
}


@pytest.mark.parametrize("archive, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_upload_is_rejected_with_the_offending_entry(toy: Workspace, archive: bytes,
                                                             message: str) -> None:
    response = toy.upload(archive)
    assert response.status_code == 400, f"expected 400, got {response.status_code}"
    error = response.get_json()["error"]
    assert error.startswith("Upload rejected: ") and message in error, \
        f"expected {message!r} in the error, got {error!r}"
    assert toy.files() == {"app.py": STARTER}


def test_a_zip_declaring_a_huge_file_is_rejected_before_inflating() -> None:
    archive = bytearray(zip_of([("huge.txt", b"a" * 1000)]))
    central = archive.index(b"PK\x01\x02")
    archive[central + 24:central + 28] = (2**31).to_bytes(4, "little")  # uncompressed size
    with pytest.raises(UploadRejected, match=re.escape("huge.txt: larger than 1024 KiB")):
        read_upload(bytes(archive))


def test_duplicate_paths_are_rejected() -> None:
    twice = re.escape("app.py: the archive holds this path twice")
    with pytest.raises(UploadRejected, match=twice):
        read_upload(tar_of([(tar_entry("app.py"), b"a"), (tar_entry("app.py"), b"b")]))
