"""axe-core (vendored from npm by scripts/vendor-assets) run on the page Chromium shows.

The script is evaluated through the DevTools protocol, which the page's CSP does not govern, so
the pages are scanned exactly as served.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from webapp.config import REPO_ROOT

AXE = REPO_ROOT / "webapp" / "static" / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    return AXE.read_text()


def serious_violations(page: Any) -> list[str]:
    """Each serious or critical axe violation on the page: rule, help and the first nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""")
    return [f"{v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["nodes"])
            for v in violations if v["impact"] in BLOCKING]
