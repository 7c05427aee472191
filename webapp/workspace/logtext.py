"""A service's log made fit for the page: ANSI colour and cursor codes removed."""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-_]")
OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(log: str) -> str:
    """`log` without escape sequences or control characters (newlines and tabs kept)."""
    return OTHER_CONTROLS.sub("", ANSI.sub("", log.replace("\r\n", "\n")))
