"""The HTTP client checks use to talk to the learner's app.

An httpx.Client that reads every body through a size cap (a runaway response fails the
check instead of eating the grader's memory) and keeps the exchanges of the current check,
so a failure can show the request and response that revealed it.
"""

from __future__ import annotations

from typing import Any

import httpx

MAX_BODY_BYTES = 1024 * 1024


class ResponseTooLarge(Exception):
    """The app answered with a body larger than the cap."""

    def __init__(self, request: httpx.Request, limit: int) -> None:
        super().__init__(f"response to {request.method} {request.url.path} larger than "
                         f"{limit // 1024} KiB")
        self.request = request
        self.limit = limit


class GraderClient(httpx.Client):
    """httpx.Client with a response body cap; `exchanges` lists the responses received."""

    def __init__(self, base_url: str, timeout: float, max_body: int = MAX_BODY_BYTES,
                 **kwargs: Any) -> None:
        super().__init__(base_url=base_url, timeout=timeout, follow_redirects=False, **kwargs)
        self.max_body = max_body
        self.exchanges: list[httpx.Response] = []

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        kwargs["stream"] = True
        streamed = super().send(request, **kwargs)
        try:
            body = self._read_capped(streamed)
        finally:
            streamed.close()
        response = httpx.Response(streamed.status_code, headers=streamed.headers, content=body,
                                  request=request, extensions=streamed.extensions)
        self.exchanges.append(response)
        return response

    def _read_capped(self, response: httpx.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise ResponseTooLarge(response.request, self.max_body)
            chunks.append(chunk)
        return b"".join(chunks)
