"""Run a chapter's Python snippets in order in one module, as a reader pasting them would.

Reads a JSON list of {"path", "line", "code"} on stdin ("line" is the opening fence's line)
and prints one JSON line {"ok": bool, "output": str} per snippet as it finishes. Each snippet
is compiled under its chapter's file name with its real line numbers, so a traceback names
content/NN-slug.md and the line in it. The module is not __main__: `if __name__ ==
"__main__":` blocks (a server's main()) define but do not start.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
import types

MODULE = "chapter_snippets"


def run(snippets: list[dict[str, object]]) -> None:
    module = types.ModuleType(MODULE)
    sys.modules[MODULE] = module  # dataclasses and pickling look their module up here
    for snippet in snippets:
        output = io.StringIO()
        source = "\n" * int(snippet["line"]) + str(snippet["code"])
        try:
            code = compile(source, str(snippet["path"]), "exec")
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exec(code, module.__dict__)  # noqa: S102 - running the chapter's code is the point
            ok = True
        except BaseException as exc:  # SystemExit and KeyboardInterrupt fail the snippet too
            below_exec = exc.__traceback__.tb_next if exc.__traceback__ else None
            output.write("".join(traceback.format_exception(type(exc), exc, below_exec)))
            ok = False
        print(json.dumps({"ok": ok, "output": output.getvalue()}), flush=True)


if __name__ == "__main__":
    run(json.load(sys.stdin))
