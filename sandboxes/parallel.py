"""Run one action on several items at once and wait for all: Docker and the local servers do
their work in other processes, so a sandbox waits on them side by side instead of in turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_THREADS = 8


def each_at_once(action: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`action(item)` for every item, in threads; their results in the items' order. Every
    action runs to its end; then the failure of the first failing item (in order) is raised."""
    if len(items) <= 1:
        return [action(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(items)),
                            thread_name_prefix="sandbox") as pool:
        futures = [pool.submit(action, item) for item in items]
    return [future.result() for future in futures]
