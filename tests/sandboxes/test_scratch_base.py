"""Scratch folders of sandboxes and local servers go under ARCHLAB_SCRATCH when it is set
(sandboxes/local_servers.py), else under the system's temporary folder."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

from sandboxes.local_servers import scratch_base, scratch_dir


def test_scratch_folders_go_under_archlab_scratch_when_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARCHLAB_SCRATCH", str(tmp_path))
    made = scratch_dir("test-scratch-")
    assert made.parent == tmp_path / "archlab" == scratch_base()
    assert stat.S_IMODE(made.stat().st_mode) == 0o711  # a demoted server can traverse it


def test_scratch_folders_go_under_the_temporary_folder_by_default(monkeypatch) -> None:
    monkeypatch.delenv("ARCHLAB_SCRATCH", raising=False)
    assert scratch_base() == Path(tempfile.gettempdir()) / "archlab"
