"""Submission files are packed and unpacked with no way out of the scratch folder."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from webapp.grading.archive import BadFiles, pack, unpack, write_tree


def test_round_trip_keeps_folders(tmp_path: Path) -> None:
    files = {"app.py": b"print(1)\n", "pkg/mod.py": b"x = 1\n"}
    assert unpack(pack(files)) == files
    write_tree(pack(files), tmp_path)
    assert (tmp_path / "pkg" / "mod.py").read_bytes() == b"x = 1\n"


@pytest.mark.parametrize("name", ["/etc/passwd", "../up.py", "a/../../b", "a//b", "./a", ""])
def test_bad_paths_are_refused(name: str) -> None:
    with pytest.raises(BadFiles):
        pack({name: b"x"})


def test_too_many_or_too_large_files_are_refused() -> None:
    with pytest.raises(BadFiles, match="more than 500 files"):
        pack({f"f{i}.txt": b"" for i in range(501)})
    with pytest.raises(BadFiles, match="larger than"):
        pack({"big.bin": b"x" * (5 * 1024 * 1024 + 1)})


def test_a_blob_with_a_link_is_refused() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo("app.py")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(BadFiles, match="not a regular file"):
        unpack(buffer.getvalue())
