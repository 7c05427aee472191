"""decisive_line on real Python tracebacks: the exception, at the learner's file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labs.tracebacks import decisive_line


def crash_log(folder: Path, files: dict[str, str], main: str = "app.py") -> str:
    """What `python3 app.py` prints when it dies in `folder` holding `files`."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    done = subprocess.run([sys.executable, main], cwd=folder, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode != 0, done
    return "starting on port 8000\n" + done.stderr


@pytest.mark.parametrize(("files", "expected"), [
    ({"app.py": "import os\n\ndef f(:\n    pass\n"}, "SyntaxError: invalid syntax at app.py:3"),
    ({"app.py": "from store.models import Thing\n",
      "store/models.py": "x = 1\nclass Thing(\n    pass\n"},
     "SyntaxError: '(' was never closed at store/models.py:2"),
    ({"app.py": "import os\nURL = os.environ['DATABASE_URL']\n"},
     "KeyError: 'DATABASE_URL' at app.py:2"),
    ({"app.py": "import flaskk\n"}, "ModuleNotFoundError: No module named 'flaskk' at app.py:1"),
    ({"app.py": "def f():\n\tif True:\n        return 1\n"},
     "TabError: inconsistent use of tabs and spaces in indentation at app.py:3"),
    ({"app.py": "import json\n\ndef load():\n    return json.loads('{bad')\n\nload()\n"},
     "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 "
     "column 2 (char 1) at app.py:4"),
])
def test_the_exception_is_placed_at_the_deepest_frame_of_the_learners_files(
        tmp_path: Path, files: dict[str, str], expected: str) -> None:
    log = crash_log(tmp_path, files)
    assert decisive_line(log, learner_files=files) == expected


def test_without_the_file_list_library_frames_are_still_passed_over(tmp_path: Path) -> None:
    log = crash_log(tmp_path, {"app.py": "import os\nURL = os.environ['DATABASE_URL']\n"})
    assert decisive_line(log) == "KeyError: 'DATABASE_URL' at app.py:2"


def test_a_chained_exception_gives_the_last_one(tmp_path: Path) -> None:
    log = crash_log(tmp_path, {"app.py": (
        "import json\ntry:\n    json.loads('x')\nexcept ValueError as exc:\n"
        "    raise RuntimeError('config is not JSON') from exc\n")})
    assert "The above exception was the direct cause" in log
    assert decisive_line(log, ["app.py"]) == "RuntimeError: config is not JSON at app.py:5"


def test_log_lines_after_the_traceback_do_not_hide_it(tmp_path: Path) -> None:
    log = crash_log(tmp_path, {"app.py": "raise SystemError('db gone')\n"})
    log += "INFO shutting down\nINFO bye\n"
    assert decisive_line(log, ["app.py"]) == "SystemError: db gone at app.py:1"


def test_a_log_without_a_traceback_gives_its_last_error_line_or_nothing() -> None:
    log = "starting\nERROR: could not bind 0.0.0.0:8000: address in use\nexiting\n"
    assert decisive_line(log) == "ERROR: could not bind 0.0.0.0:8000: address in use"
    assert decisive_line("starting\nlistening on 8000\n") is None
    assert decisive_line("") is None
