"""The HTTP client checks use to talk to the learner's app.

An httpx.Client that reads every body through a size cap (a runaway response fails the
check instead of eating the grader's memory), ends every exchange by a hard deadline, body
included (a service that dribbles or never stops answering cannot hold a check past its
time: `sandboxes.http_deadline`), and keeps the exchanges of the current check, so a failure
can show the request and response that revealed it.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from sandboxes.http_deadline import NO_REUSE, Cutoff, shared_tls

MAX_BODY_BYTES = 1024 * 1024


class ResponseTooLarge(Exception):
    """The app answered with a body larger than the cap."""

    def __init__(self, request: httpx.Request, limit: int) -> None:
        super().__init__(f"response to {request.method} {request.url.path} larger than "
                         f"{limit // 1024} KiB")
        self.request = request
        self.limit = limit


class ResponseDeadline(httpx.ReadTimeout):
    """The exchange did not end in time: no answer, or an answer whose body kept coming."""

    def __init__(self, request: httpx.Request, seconds: float, answered: bool) -> None:
        super().__init__(f"{request.method} {request.url.path} did not end within "
                         f"{round(seconds, 1):g}s", request=request)
        self.seconds = seconds
        self.answered = answered


class GraderClient(httpx.Client):
    """httpx.Client with a response body cap and a deadline for each whole exchange: its
    read timeout, and never past `deadline` (a time.monotonic() value, the check's end);
    `exchanges` lists the responses received."""

    def __init__(self, base_url: str, timeout: float, max_body: int = MAX_BODY_BYTES,
                 deadline: float | None = None, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, timeout=timeout, follow_redirects=False,
                         limits=NO_REUSE, verify=shared_tls(), **kwargs)
        self.max_body = max_body
        self.deadline = deadline
        self.exchanges: list[httpx.Response] = []

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        kwargs["stream"] = True
        seconds = self._seconds_for(request)
        answered = False
        with Cutoff(seconds) as cutoff:
            cutoff.arm(request)
            try:
                streamed = super().send(request, **kwargs)
                answered = True
                try:
                    body = self._read_capped(streamed)
                finally:
                    streamed.close()
            except httpx.TransportError as exc:
                if cutoff.expired:
                    raise ResponseDeadline(request, seconds or 0.0, answered) from exc
                raise
            if cutoff.expired:  # a body that ends when its connection does looks complete
                raise ResponseDeadline(request, seconds or 0.0, answered)
        response = httpx.Response(streamed.status_code, headers=streamed.headers, content=body,
                                  request=request, extensions=streamed.extensions)
        self.exchanges.append(response)
        return response

    def _seconds_for(self, request: httpx.Request) -> float | None:
        """The whole exchange's time: the request's read timeout, cut to the deadline (None:
        neither is set)."""
        limits = [request.extensions.get("timeout", {}).get("read")]
        if self.deadline is not None:
            limits.append(self.deadline - time.monotonic())
        present = [limit for limit in limits if limit is not None]
        return max(0.0, min(present)) if present else None

    def _read_capped(self, response: httpx.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise ResponseTooLarge(response.request, self.max_body)
            chunks.append(chunk)
        return b"".join(chunks)
