"""No module imports another module's private names (issue 11, layering).

import-linter checks which packages may import which (``make lint``); it has no
contract for private names, so this test reads every module's imports:

- ``from transferkit.x import _name`` is allowed only inside ``transferkit.x`` itself
  (never, since a module does not import itself): a private name is its module's own;
- a private module (``transferkit.evaluation.checks``) may be imported only by the
  modules of its own package (``transferkit.evaluation.*``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "transferkit"


def module_name(path: Path) -> str:
    parts = ("transferkit", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts).removesuffix(".__init__")


def private_imports(path: Path) -> list[str]:
    """The imports in ``path`` that break the rule, as ``"from M import N"`` texts."""
    importer = module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("transferkit")
        ):
            continue
        parts = node.module.split(".")
        for depth, part in enumerate(parts):
            if part.startswith("_"):
                owner = ".".join(parts[:depth])  # the package the private module belongs to
                if not (importer == owner or importer.startswith(owner + ".")):
                    found.append(f"from {node.module} import ... (private module of {owner})")
        found += [
            f"from {node.module} import {alias.name}"
            for alias in node.names
            if alias.name.startswith("_") and node.module != importer
        ]
    return found


def test_the_rule_sees_a_private_import() -> None:
    # The check itself: a module under the package that takes another's private name.
    probe = PACKAGE / "reports" / "_probe_private_import.py"
    probe.write_text(
        "from transferkit.reports.content.common import _secret\n"
        "from transferkit.evaluation._internal import check_numeric\n",
        encoding="utf-8",
    )
    try:
        assert private_imports(probe) == [
            "from transferkit.reports.content.common import _secret",
            "from transferkit.evaluation._internal import ... (private module of transferkit.evaluation)",
        ]
    finally:
        probe.unlink()


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_imports_private_names_of_another(path: Path) -> None:
    assert private_imports(path) == [], (
        "import a public name instead (drop the underscore where it is defined)"
    )
