"""Labels and names that tie every Docker object to its session (the reaper reads them)."""

from __future__ import annotations

import re
import secrets
import time

SESSION = "archlab.session"
SERVICE = "archlab.service"
DEADLINE = "archlab.deadline"
# A session that forgot to ask for a deadline is still reaped after this long.
DEFAULT_DEADLINE_S = 3600


def session_labels(session_id: str, deadline_s: float | None,
                   extra: dict[str, str] | None = None) -> dict[str, str]:
    deadline = time.time() + (deadline_s or DEFAULT_DEADLINE_S)
    return {**(extra or {}), SESSION: session_id, DEADLINE: str(int(deadline))}


def object_name(session_id: str, suffix: str = "") -> str:
    """A Docker-safe, unique name: archlab-<session>-<random>[-suffix]."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)[:40]
    return "-".join(filter(None, ["archlab", safe, secrets.token_hex(3), suffix]))


def expired(labels: dict[str, str], now: float) -> bool:
    try:
        return float(labels.get(DEADLINE, "0")) < now
    except ValueError:
        return True
