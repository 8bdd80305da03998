"""Write ``tests/show_if_cases.json``: the one table of ``show_if`` cases for Python and the web sheet's script.

``python tests/show_if_cases.py`` writes the file again. ``expected`` comes
from :func:`expected` below, the rule of :class:`transferkit.templates.model.Condition`
written out once more independently of it (JSON values: strings trimmed of
JSON whitespace and compared in any case, numbers by value, booleans only as
booleans, kinds never mixed). ``tests/test_show_if.py`` runs the table
against ``Condition.is_met``, ``tests/browser/test_websheet_browser.py``
against ``window.tkSheet.isMet`` in Chromium.
"""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("show_if_cases.json")

#: Answers as a sheet sends them (JSON); ``None``: the question is unanswered (not in the answers).
VALUES: list[Any] = [
    None,
    "",
    "  ",
    "\t\n",
    "\u00a0",
    "ja",
    " Ja ",
    "JA",
    "ja\t",
    "jä",
    "JÄ",
    "other",
    "3",
    "3.0",
    "true",
    "True",
    "none",
    "None",
    3,
    3.0,
    0,
    -1,
    1,
    2.5,
    0.1,
    1e-05,
    12345678.5,
    -0.25,
    True,
    False,
    [],
    ["a"],
    ["A "],
    ["a", "b"],
    [1, 2],
    [3],
    ["3"],
    ["other", "x"],
    [2.5],
    [True],
    {"p": 1},
    {},
]
#: Targets of ``equals`` / ``not_equals`` as a template's YAML gives them.
TARGETS: list[Any] = [
    "ja",
    "JA ",
    "Jä",
    "other",
    3,
    "3",
    2.5,
    1.5e16,
    True,
    False,
    None,
    "a",
    1,
    0.1,
    "none",
    1e-05,
]
GROUPS: list[list[Any]] = [["ja", 3], [True, "x"], ["none"], ["a", 2.5], [], [1, "other"], [False]]

_SPACE = " \t\n\r"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def _match(answer: Any, target: Any) -> bool:
    kind = _kind(answer)
    if kind != _kind(target) or kind == "other":
        return False
    if kind == "string":
        return str(answer).strip(_SPACE).lower() == str(target).strip(_SPACE).lower()
    return bool(answer == target)


def expected(condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether ``condition`` holds for ``answers`` (the rule, spelt out)."""
    value = answers.get(condition["question"])
    if isinstance(value, str):
        present = value.strip(_SPACE) != ""
    else:
        present = value is not None and value not in ([], {})
    if "answered" in condition:
        return present is bool(condition["answered"])
    if not present:
        return "not_equals" in condition
    items = value if isinstance(value, list) else [value]
    if "in" in condition:
        return any(_match(a, b) for a in items for b in condition["in"])
    target = condition.get("equals", condition.get("not_equals"))
    hit = any(_match(a, target) for a in items)
    return hit if "equals" in condition else not hit


def cases() -> list[dict[str, Any]]:
    """Every condition against every answer."""
    conditions: list[dict[str, Any]] = [
        {"question": "q", op: t} for op, t in product(("equals", "not_equals"), TARGETS)
    ]
    conditions += [{"question": "q", "in": group} for group in GROUPS]
    conditions += [{"question": "q", "answered": flag} for flag in (True, False)]
    out = []
    for condition in conditions:
        for value in VALUES:
            answers = {} if value is None else {"q": value}
            out.append(
                {
                    "condition": condition,
                    "answers": answers,
                    "expected": expected(condition, answers),
                }
            )
    return out


def load() -> list[dict[str, Any]]:
    """The table as stored."""
    return list(json.loads(TABLE.read_text(encoding="utf-8")))


if __name__ == "__main__":
    rows = cases()
    TABLE.write_text(
        "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n",
        encoding="utf-8",
    )
    print(f"{TABLE}: {len(rows)} cases")
