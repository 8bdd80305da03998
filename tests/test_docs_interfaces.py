"""docs/interfaces.md cannot drift from the code (issue 11).

Every ``transferkit.<dotted.name>`` in the document must be a module of the
package or an attribute of one (the longest importable prefix, then attribute
by attribute), and every ``store.<method>(`` must be a method of ``Store``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).parents[1] / "docs" / "interfaces.md"
TEXT = DOC.read_text(encoding="utf-8")

DOTTED = re.compile(r"(?<![/\w.])transferkit(?:\.[A-Za-z_]\w*)+")  # not data/transferkit.db
STORE_METHOD = re.compile(r"\bstore\.([a-z_]\w*)\(")


def dotted_names(text: str) -> list[str]:
    return sorted(set(DOTTED.findall(text)))


def resolves(name: str) -> bool:
    """Whether ``name`` is a module, or attributes reached from the longest importable module."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_the_document_names_the_package() -> None:
    names = dotted_names(TEXT)
    assert len(names) > 50
    assert "transferkit.store.engine.with_retry" in names


def test_the_check_sees_a_name_that_is_gone() -> None:
    assert dotted_names(
        "`transferkit.websheet.make_app(...)`, transferkit.i18n.text. data/transferkit.db"
    ) == [
        "transferkit.i18n.text",
        "transferkit.websheet.make_app",
    ]
    assert not resolves("transferkit.websheet.make_app")
    assert not resolves("transferkit.sheets.web.no_such_name")
    assert resolves("transferkit.sheets.web.make_app")


@pytest.mark.parametrize("name", dotted_names(TEXT))
def test_every_dotted_name_exists(name: str) -> None:
    assert resolves(name), (
        f"docs/interfaces.md names {name}, which does not exist: update the document"
    )


@pytest.mark.parametrize("method", sorted(set(STORE_METHOD.findall(TEXT))))
def test_every_store_method_exists(method: str) -> None:
    from transferkit.store import Store

    assert callable(getattr(Store, method, None)), (
        f"docs/interfaces.md calls store.{method}(), not a Store method"
    )
