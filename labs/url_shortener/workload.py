"""The workload the README states for estimates.json, and the grader's own estimate of it.

The learner writes estimates.json before the grade, so the workload cannot be random: it is
these fixed numbers, printed in README.md (a test keeps the two equal). `expected()` is the
arithmetic of chapter 1's back-of-the-envelope section, done exactly; an answer within
TOLERANCE of it passes, which leaves room for the chapter's roundings (a month of 2.5 million
seconds instead of 2.592 million, a year of 12 months).
"""

from __future__ import annotations

LINKS_PER_MONTH = 30_000_000     # new short links created per month
REDIRECTS_PER_LINK = 50          # redirects served per link created (read:write 50:1)
PEAK_FACTOR = 3                  # peak traffic over the daily average
BYTES_PER_LINK = 500             # one stored link with its index entries
HOT_SHARE = 0.2                  # the cache holds this share of the last month's links
DAYS_PER_MONTH = 30
TOLERANCE = 0.25                 # an answer within 25% of the grader's passes

SECONDS_PER_MONTH = DAYS_PER_MONTH * 86_400
GB = 10**9


def expected() -> dict[str, float]:
    """estimates.json's fields as the grader computes them, in the README's units."""
    writes = LINKS_PER_MONTH / SECONDS_PER_MONTH
    redirects = writes * REDIRECTS_PER_LINK
    return {
        "writes_per_second_average": writes,
        "writes_per_second_peak": writes * PEAK_FACTOR,
        "redirects_per_second_average": redirects,
        "redirects_per_second_peak": redirects * PEAK_FACTOR,
        "storage_gb_per_year": LINKS_PER_MONTH * 12 * BYTES_PER_LINK / GB,
        "cache_gb": LINKS_PER_MONTH * HOT_SHARE * BYTES_PER_LINK / GB,
    }


def accepted_range(value: float) -> tuple[float, float]:
    """The answers that pass for a field whose exact value is `value`."""
    return value * (1 - TOLERANCE), value * (1 + TOLERANCE)
