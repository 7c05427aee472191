"""Waiting for an app a check killed and started again, for labs whose checks restart it.

A started app is not serving yet: it may still be loading or connecting to its database.
Checks that go on at once would report a slow start as a wrong answer.
"""

from __future__ import annotations

import httpx

from labs.checks import CheckContext, CheckFailed


def wait_healthy(ctx: CheckContext, timeout: float) -> None:
    """Wait for a restarted app to answer GET /healthz with 200."""
    def healthy() -> None:
        try:
            response = ctx.http.get("/healthz")
        except httpx.TransportError as error:
            raise CheckFailed(f"expected the restarted app to answer GET /healthz within "
                              f"{timeout:.0f}s, got {type(error).__name__}") from error
        ctx.expect_status(response, 200)

    ctx.eventually(healthy, timeout=timeout, interval=0.2)
