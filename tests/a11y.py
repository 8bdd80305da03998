"""axe-core in a Playwright page (importable by name: ``a11y``).

axe-core is the npm package, installed into ``tests/browser/axe/`` by ``make axe``
(which ``make test`` and so ``.ci/run`` run first); without it the check skips, and
in CI a skipped browser test fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

__all__ = ["AXE", "axe_violations", "describe"]

AXE = (
    Path(__file__).resolve().parent / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
#: Impacts that fail a page.
SEVERE = ("serious", "critical")


def axe_violations(page: Any, *, impacts: tuple[str, ...] = SEVERE) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA rules and best practices) on ``page``; the violations of ``impacts``."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE}: run `make axe` (npm ci)")
    page.add_script_tag(content=AXE.read_text("utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations, one line each (for an assertion message)."""
    return "\n".join(f"{v['impact']}: {v['id']} – {v['help']} at {v['nodes']}" for v in violations)
