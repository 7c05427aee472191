"""Print how long the course takes to load and render cold, and to serve from the cache.

.venv/bin/python bench/course_render.py [CONTENT_DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from course import CourseStore, load_course
from course.render import RenderCache

REPO = Path(__file__).resolve().parent.parent


def median_ms(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content_dir", nargs="?", type=Path, default=REPO / "content")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    course = load_course(args.content_dir)
    words = sum(c.word_count for c in course.chapters)
    print(f"{len(course.chapters)} chapters, {words} words, {len(course.problems)} problems")

    cold = median_ms(lambda: load_course(args.content_dir, cache=RenderCache()), args.runs)
    print(f"cold load + render, whole course:        {cold:8.1f} ms (median of {args.runs})")

    watching = CourseStore(args.content_dir, reload=True)
    fixed = CourseStore(args.content_dir)
    _ = watching.course, fixed.course
    cached = median_ms(lambda: watching.course, args.runs * 10)
    print(f"cached access, reload=True (stat scan):  {cached:8.3f} ms")
    direct = median_ms(lambda: fixed.course, 1000)
    print(f"cached access, reload=False:             {direct:8.4f} ms")

    warm = median_ms(lambda: load_course(args.content_dir, cache=watching.cache), args.runs)
    print(f"reload after an edit, renders cached:    {warm:8.1f} ms (validation and link checks)")


if __name__ == "__main__":
    main()
