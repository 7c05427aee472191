"""What a verify report means for the lab's author, in authoring terms.

The table says which row disagreed; these findings say what to change: "mutant X was not
caught — no check failed; the closest check was Y ...", "mutant X: caught by A, but B also
failed (...) — one mistake named twice ...", "reference lost points on check Z: <message>",
"check W is flaky: 2 of 5 runs differ ...". Each is said once, with the runs it happened in
when it did not happen in all of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import zip_longest

from labs.verify import CheckOutcome, VerifyReport, VerifyRow, also_failed, named_twice

LOST = ("failed", "skipped")


def findings(report: VerifyReport) -> list[str]:
    """Every disagreement of `report`, explained; empty when the lab verified."""
    if report.not_gradable:
        return []
    runs = max((row.run for row in report.rows), default=1)
    by_subject: dict[str, list[VerifyRow]] = defaultdict(list)
    for row in report.rows:
        by_subject[row.subject].append(row)
    said: list[str] = []
    for subject, rows in by_subject.items():
        if subject == "alternatives":
            said += [_too_few_alternatives(row) for row in rows if not row.ok]
        elif subject == "solution" or subject.startswith("alternative "):
            said += _lost_points(_who(subject), rows, runs)
        elif subject == "starter":
            bad = [row for row in rows if not row.ok]
            said += _once([_starter(row) for row in bad], bad, runs)
        else:
            solution = {row.run: row for row in by_subject.get("solution", [])}
            bad = [row for row in rows if not row.ok]
            said += _once([_uncaught(report, row, solution.get(row.run)) for row in bad],
                          bad, runs, [_named_again(report, row) or "" for row in bad])
    return said + _flaky(by_subject, runs)


def _who(subject: str) -> str:
    return "reference" if subject == "solution" else subject


def _too_few_alternatives(row: VerifyRow) -> str:
    return (f"the lab has {row.outcome.split(':')[0]} alternative solutions, it needs "
            f"{row.expected}: add alternatives/<name>/, each a full solution in another style")


def _lost_points(who: str, rows: list[VerifyRow], runs: int) -> list[str]:
    """"reference lost points on check Z: <message>", once per check (and per cause)."""
    lost: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.ok:
            continue
        if row.cause:
            lost[f"{who} was not graded to the end: {row.cause}"].append(row.run)
        for check in row.checks:  # checks skipped after the cause are said by the cause
            if check.status == "failed" or (check.status in LOST and not row.cause):
                lost[f"{who} lost points on check {check.id}: {check.message}"].append(row.run)
    return [f"{text}{_in_runs(seen, runs)}" for text, seen in lost.items()]


def _starter(row: VerifyRow) -> str:
    if row.cause:
        return f"the starter was not graded: {row.cause}"
    return ("the starter gets full marks: every check passes on it, so a learner starts "
            "out done; leave out what the checks ask for")


def _uncaught(report: VerifyReport, row: VerifyRow, solution: VerifyRow | None) -> str:
    name = row.subject.removeprefix("mutant ")
    named = report.caught_by.get(name, "")
    by_id = {check.id: check for check in row.checks}
    mine = by_id.get(named)
    failed = [check.id for check in row.checks if check.status == "failed"]
    if mine is None or (row.cause and mine.status != "failed"):
        return f"mutant {name} was not graded: {row.cause or 'its checks did not run'}"
    if mine.status == "blocked":
        root = next((c.id for c in row.checks if c.status == "failed"), "another check")
        return (f"mutant {name} was not caught by {named}: it did not run (it needs "
                f"{root}, which failed first); a blocked check does not count: name {root} "
                "in caught_by, or let the mutant get past it")
    if mine.status == "skipped":
        return f"mutant {name} was not caught by {named}: it was skipped: {mine.message}"
    extra = also_failed(named, report.also_fails.get(name, ()), row.checks)
    if mine.status == "failed" and extra:
        return _named_twice(name, named, extra)
    if failed:
        return (f"mutant {name} was caught by {', '.join(failed)}, not by {named} as its "
                f"caught_by says ({named} passed): name the check that catches it")
    return (f"mutant {name} was not caught — no check failed; the closest check was "
            f"{_closest(named, row, solution)}")


def _named_again(report: VerifyReport, row: VerifyRow) -> tuple[str, ...] | None:
    """The checks besides its caught_by that a caught mutant failed (its also_fails aside),
    if any: one finding for each set of them, whatever their messages said in each run."""
    name = row.subject.removeprefix("mutant ")
    named = report.caught_by.get(name, "")
    if not any(c.id == named and c.status == "failed" for c in row.checks):
        return None
    extra = also_failed(named, report.also_fails.get(name, ()), row.checks)
    return tuple(check_id for check_id, _ in extra) or None


def _named_twice(name: str, named: str, extra: list[tuple[str, str]]) -> str:
    """"mutant X: caught by A, but B also failed ("...") — one mistake named twice: ..."."""
    others = " and ".join(check_id for check_id, _ in extra)
    times = "twice" if len(extra) == 1 else f"{len(extra) + 1} times"
    one, it = (extra[0][0],) * 2 if len(extra) == 1 else ("one of them", "it")
    return (f"mutant {name}: caught by {named}, {named_twice(extra)} — one mistake named "
            f"{times}: make {others} need {named} (needs=) or, if {one} is a separate contract "
            f"this mistake also breaks, list {it} in the mutant's also_fails")


def _closest(named: str, row: VerifyRow, solution: VerifyRow | None) -> str:
    """The check that heard the mutant answer otherwise than the solution (the named one
    first), and how; else the named check, saying no check reached the change."""
    reference = {check.id: check.answers for check in solution.checks} if solution else {}
    differing = [check for check in row.checks
                 if check.id in reference and check.answers != reference[check.id]]
    differing.sort(key=lambda check: check.id != named)
    if not differing:
        return (f"{named} (its caught_by): no check got a different answer from the mutant "
                "than from the solution, so no check reaches the code it changes")
    check = differing[0]
    mutant_said, solution_said = _first_difference(check, reference[check.id])
    return (f"{check.id}: it got {mutant_said} where the solution answered {solution_said}, "
            "and still passed: make it assert on that")


def _first_difference(check: CheckOutcome, reference: tuple[str, ...]) -> tuple[str, str]:
    for mine, theirs in zip_longest(check.answers, reference, fillvalue=None):
        if mine != theirs:
            return mine or "no answer", theirs or "no answer"
    return "the same answers", "the same answers"


def _flaky(by_subject: dict[str, list[VerifyRow]], runs: int) -> list[str]:
    """"check W is flaky: 2 of 5 runs differ on <subject> (...)": a check whose verdict on
    one subject changed between runs (blocked checks and grades whose sandbox failed are
    left out: they decide nothing)."""
    if runs < 2:
        return []
    worst: dict[str, tuple[int, str, str]] = {}
    for subject, rows in by_subject.items():
        outcomes: dict[str, list[CheckOutcome]] = defaultdict(list)
        for row in (row for row in rows if row.counted):
            for check in row.checks:
                if check.status != "blocked":
                    outcomes[check.id].append(check)
        for check_id, seen in outcomes.items():
            counts = Counter(check.status for check in seen)
            if len(counts) < 2:
                continue
            usual = counts.most_common(1)[0][0]
            odd = [check for check in seen if check.status != usual]
            tally = ", ".join(f"{status} {n}" for status, n in counts.most_common())
            message = next((c.message for c in seen if c.status in LOST), "")
            detail = f" ({tally}{': ' + message if message else ''})"
            if len(odd) > worst.get(check_id, (0, "", ""))[0]:
                worst[check_id] = (len(odd), _who(subject), detail)
    return [f"check {check_id} is flaky: {n} of {runs} runs differ on the {who}{detail}"
            for check_id, (n, who, detail) in worst.items()]


def _once(texts: list[str], rows: list[VerifyRow], runs: int,
          keys: list[object] | None = None) -> list[str]:
    """Each distinct text once, with the runs (of `rows`, in order) it came from; texts with
    the same key (when given and truthy) are one, said as first seen."""
    seen: dict[object, tuple[str, list[int]]] = {}
    for index, (text, row) in enumerate(zip(texts, rows, strict=False)):
        key = keys[index] if keys and keys[index] else text
        seen.setdefault(key, (text, []))[1].append(row.run)
    return [f"{text}{_in_runs(in_runs, runs)}" for text, in_runs in seen.values()]


def _in_runs(seen: list[int], runs: int) -> str:
    if runs == 1 or len(seen) == runs:
        return ""
    return f" (run{'s' if len(seen) > 1 else ''} {', '.join(map(str, seen))} of {runs})"
