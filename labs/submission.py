"""What a submission must look like before it is worth starting a sandbox for.

Caps keep a grade cheap and predictable: a folder of a few hundred text files, no symlinks
(a link could point the sandbox at files outside the submission), no devices or pipes (copying
a pipe would wait forever).
"""

from __future__ import annotations

from pathlib import Path

MAX_FILES = 500
MAX_BYTES = 5 * 1024 * 1024


def submission_problem(directory: Path, max_files: int = MAX_FILES,
                       max_bytes: int = MAX_BYTES) -> str | None:
    """Why `directory` cannot be graded, or None when it can."""
    if not directory.is_dir():
        return f"the submission {directory} is not a folder"
    files = total = 0
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            return f"the submission contains a symbolic link: {path.relative_to(directory)}"
        if not (path.is_file() or path.is_dir()):
            return f"the submission contains a special file: {path.relative_to(directory)}"
        if path.is_file():
            files += 1
            total += path.stat().st_size
        if files > max_files:
            return f"the submission has more than {max_files} files"
        if total > max_bytes:
            return f"the submission is larger than {max_bytes // 1024} KiB"
    if files == 0:
        return "the submission is empty"
    return None
