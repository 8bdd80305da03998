"""``show_if`` in Python: ``Condition.is_met`` against the shared table (the browser test runs it in JS)."""

from __future__ import annotations

from typing import Any

import pytest
from show_if_cases import TABLE, cases, load

from transferkit.sheets.web.render import condition_config
from transferkit.templates.model import Condition

ROWS = load()


def test_the_table_is_large_and_current() -> None:
    assert len(ROWS) > 1000
    assert ROWS == cases(), f"run python {TABLE.with_suffix('.py')} to write the table again"
    assert {row["expected"] for row in ROWS} == {True, False}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['condition']}|{row['answers']}")
def test_condition_is_met_agrees_with_the_table(row: dict[str, Any]) -> None:
    condition = Condition.model_validate(row["condition"])
    assert condition.is_met(row["answers"]) is row["expected"]


def test_values_of_different_kinds_never_match() -> None:
    """No ``str()``: the number 3 is not the text "3", ``true`` is not 1."""
    assert not Condition.model_validate({"question": "q", "equals": "3"}).is_met({"q": 3})
    assert not Condition.model_validate({"question": "q", "equals": 1}).is_met({"q": True})
    assert Condition.model_validate({"question": "q", "equals": 3}).is_met({"q": 3.0})
    assert Condition.model_validate({"question": "q", "equals": "Ja"}).is_met({"q": " ja\n"})


def test_the_script_gets_the_templates_json_values() -> None:
    config = condition_config(Condition.model_validate({"question": "q", "in": ["Ja", 3, True]}))
    assert config == {"question": "q", "op": "in", "targets": ["Ja", 3, True], "answered": False}
