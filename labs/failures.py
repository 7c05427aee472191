"""The one exception a check raises to fail, shared by the checks API and its context."""

from __future__ import annotations

from typing import Any


class CheckFailed(Exception):
    """A check's verdict that the submission is wrong; `message` is shown to the learner."""

    def __init__(self, message: str, evidence: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = evidence
