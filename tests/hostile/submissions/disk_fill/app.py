"""Fills the folder named in target.txt with 1 MiB files until a write fails, then gives up."""

import pathlib
import sys

folder = pathlib.Path(pathlib.Path("target.txt").read_text().strip())
written = 0
try:
    while True:
        (folder / f"hostile-fill-{written}").write_bytes(b"x" * 1024 * 1024)
        written += 1
except OSError as exc:
    print(f"filled {folder} with {written} MiB, then: {exc.strerror}", flush=True)
    sys.exit(1)
