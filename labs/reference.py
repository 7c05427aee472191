"""The reference half of docs/authoring.md, written from the code so that it cannot drift.

Three sections are generated: lab.toml's keys (from `labs.spec.SCHEMA`), the check context's
members (from `CheckContext`'s signatures and docstrings, and the attributes its constructor
sets) and the result schema (from the result dataclasses and enums). The words about each
lab.toml key, attribute and result field are kept here; a key, attribute or field without
words stops the generator, so a new one cannot go undocumented.

    python -m labs.reference --write    # rewrite the generated sections of docs/authoring.md
    python -m labs.reference            # exit 1 when the file differs from the code

tests/labs/test_authoring_reference.py runs the second form.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

from labs.context import FAULT_OPERATIONS, CheckContext
from labs.results import CheckResult, GradeResult, GradeTimings, Status, Verdict
from labs.spec import BUILTIN_KINDS, REQUIREMENTS, SCHEMA

DOC = Path(__file__).resolve().parent.parent / "docs" / "authoring.md"
SECTION = re.compile(r"(<!-- generated: (?P<name>[a-z-]+) -->\n).*?(<!-- end generated -->)",
                     re.S)

KEY_WORDS = {
    "id": "the lab's id: URLs, chapters' `lab:`/`extra_labs:`, the CLI",
    "title": "shown on the lab page and in lists",
    "chapter": "slug of the chapter that introduces the lab",
    "grading": "the grade's time limits (table)",
    "app": "the learner's service (table)",
    "requires": f"what the sandbox must provide: {', '.join(REQUIREMENTS)} (a list)",
    "services": "backing services by name (tables)",
    "time_limit": "seconds for the whole grade, sandbox start included",
    "check_timeout": "seconds per check",
    "command": "argv, run from the submission folder (app, kind learner) or the lab folder "
               "(kind process)",
    "build": "instead of a command: the image built from the submission's Dockerfile "
             "(needs requires = [\"docker\"])",
    "ready": "how to tell the service is up (table)",
    "env": "variables; `${service.url|host|port}` names another service",
    "limits": "resource limits (table)",
    "kind": f"one of {', '.join(BUILTIN_KINDS)}",
    "timeout": "seconds to wait",
    "http": "a path that answers 2xx once ready (else: the port accepts connections)",
    "tcp": "false for a program on no port: ready once it ran `timeout` seconds",
    "dockerfile": "file name at the top of the submission (default Dockerfile)",
    "memory_mb": "memory, MB",
    "cpus": "CPUs (0.5 = half of one)",
    "pids": "processes and threads",
    "file_size_mb": "largest file it may write, MB",
    "tmpfs_mb": "size of its writable /tmp, MB",
    "nofile": "open files, sockets included (default 256)",
    "log_kb": "log kept, KB",
}

ATTRIBUTE_WORDS = {
    "http": "httpx client on the app's base URL: 1 MiB body cap, every exchange ends by its "
            "read timeout and the check's end; exchanges are the default evidence",
    "faults": f"fault injection on a service: {', '.join(sorted(FAULT_OPERATIONS))}; one "
              "the backend cannot do skips the check",
    "random": "`random.Random` seeded from the grade's seed and the check id",
    "state": "dict shared by the checks of one grade",
    "submission": "`Path` of the grader's read-only snapshot of the submitted folder",
    "session": "the sandbox session (`service_user(name)`, `status(name)`)",
    "check_id": "this check's id (its function name)",
    "deadline": "`time.monotonic()` at which the check is cut",
}

FIELD_WORDS = {
    "lab_id": "the lab graded",
    "submission_id": "the submission's id",
    "seed": "the seed of `ctx.random` (`archlab grade --seed` repeats it)",
    "gradable": "false only for infrastructure failures and labs this backend cannot grade",
    "verdict": "how the grade ended (below)",
    "score": "points earned",
    "max_score": "points possible",
    "checks": "one CheckResult per check, in grading order",
    "started_at": "ISO 8601, UTC",
    "duration_s": "seconds",
    "log_tail": "the end of the learner's programs' logs, control characters escaped",
    "metrics": "`ctx.metric` records: name, value, unit, check",
    "charts": "`ctx.chart` records: name, kind, data, check",
    "cause": "why the grade stopped before running every check, said once",
    "cause_line": "the decisive line of the app's log",
    "id": "the check function's name",
    "name": "the check's title",
    "status": "how the check ended (below)",
    "points": "points earned",
    "max_points": "points possible",
    "message": "why it failed (\"expected 201, got 200 from POST /users\"), or why it did not run",
    "evidence": "the last exchange or what the check passed as evidence, as text",
    "hint": "the check's hint, when it failed",
    "blocked_by": "the root check whose failure kept this one from running",
    "timings": "where the wall time went (GradeTimings, below)",
    "sandbox_start_s": "starting the sandbox's containers or processes",
    "service_ready_s": "waiting for the services to answer",
    "checks_s": "running the checks",
    "teardown_s": "tearing the sandbox down",
}
SKIPPED_METHODS = {"close", "last_exchange"}  # the runner's, not a check's
ANNOTATION = re.compile(r"(: |-> )'([^']*)'")  # annotations are strings: shown unquoted


def lab_toml_section() -> str:
    rows = [_row("table", "key", "required", "what"), _row(*"----")]
    for table, keys in SCHEMA.items():
        where = f"`[{table}]`" if table else "top level"
        rows += [_row(where, f"`{key}`", "yes" if key in keys.required else "",
                      _words(KEY_WORDS, key, f"lab.toml {where}"))
                 for key in (*keys.required, *keys.optional)]
    return "\n".join(rows)


def context_section() -> str:
    rows = [_row("member", "what"), _row(*"--")]
    rows += [_row(f"`ctx.{name}`", _words(ATTRIBUTE_WORDS, name, "CheckContext"))
             for name in _constructor_attributes()]
    for name, method in inspect.getmembers(CheckContext, inspect.isfunction):
        if name.startswith("_") or name in SKIPPED_METHODS:
            continue
        doc = inspect.getdoc(method)
        if not doc:
            raise ValueError(f"CheckContext.{name} has no docstring for docs/authoring.md")
        signature = ANNOTATION.sub(r"\1\2", str(inspect.signature(method)))
        signature = signature.replace("(self, ", "(").replace("'", '"')
        rows.append(_row(f"`ctx.{name}{signature.replace('(self)', '()')}`",
                         " ".join(doc.split("\n\n")[0].split())))
    return "\n".join(rows)


def results_section() -> str:
    parts = []
    for cls in (GradeResult, CheckResult, GradeTimings):
        parts += [f"`{cls.__name__}`:", "", _row("field", "type", "what"), _row(*"---")]
        parts += [_row(f"`{f.name}`", f"`{f.type}`",
                       _words(FIELD_WORDS, f.name, cls.__name__))
                  for f in dataclasses.fields(cls)]
        parts.append("")
    parts.append("`verdict`: " + ", ".join(f"`{v.value}`" for v in Verdict) + ".")
    parts.append("`status`: " + ", ".join(f"`{s.value}`" for s in Status) + ".")
    return "\n".join(parts)


def _words(words: dict[str, str], name: str, where: str) -> str:
    """What `name` is, from `words`; a name the docs do not describe yet stops the generator."""
    if name not in words:
        raise ValueError(f"{where}: {name!r} has no words in labs/reference.py: add them")
    return words[name]


def _row(*cells: str) -> str:
    """A Markdown table row; a `|` inside a cell (types, placeholders) is escaped."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


SECTIONS = {"lab-toml": lab_toml_section, "check-context": context_section,
            "results": results_section}


def rewrite(text: str) -> str:
    """`text` with every generated section replaced by what the code says now."""
    def fill(match: re.Match[str]) -> str:
        return f"{match.group(1)}{SECTIONS[match.group('name')]()}\n{match.group(3)}"

    return SECTION.sub(fill, text)


def _constructor_attributes() -> list[str]:
    """The public attributes CheckContext's constructor sets, in order."""
    source = inspect.getsource(CheckContext.__init__)
    return list(dict.fromkeys(re.findall(r"self\.([a-z]\w*) = ", source)))


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = rewrite(text)
    if "--write" in argv:
        DOC.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != text:
        print(f"{DOC} differs from the code: run python -m labs.reference --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
