"""Question type ``action_items``: a list of action items (what, who, due, status)."""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import (
    ACTION_STATUSES,
    INVALID,
    Cleaned,
    JSONValue,
    Message,
    Question,
    Row,
    is_empty,
)
from transferkit.templates.types.common import (
    Bilingual,
    Label,
    check_min_max,
    count_problems,
    join,
    problem,
    rows,
    short,
)
from transferkit.vocabulary import STATUS_LABELS

__all__ = ["ActionItemsQuestion"]

_STATUS_DE = STATUS_LABELS["de"]
_ROW_KEYS = ("what", "who", "due", "status")
_SAMPLE_ACTIONS = (
    "Checkliste für die Datenablage erstellen",
    "Micro-Learning zur IT-Sicherheit an alle verteilen",
    "Wissensrunde zum neuen Ticketsystem organisieren",
    "Energieverbrauch der Fertigung monatlich auswerten",
    "Erfahrungen beim nächsten Netzwerktreffen vorstellen",
    "Lern-Tandems für das ERP-System bilden",
)
_SAMPLE_PEOPLE = ("AB12", "KM07", "TR33", "Team Vertrieb", "Projektleitung")


class ActionItemsQuestion(Question):
    """A list of action items: what / who / due (ISO date) / status."""

    type: Literal["action_items"]
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)

    type_order: ClassVar[int] = 100
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"missing_what", "too_few"})

    @model_validator(mode="after")
    def _bounds(self) -> ActionItemsQuestion:
        check_min_max(self.min_items, self.max_items, "min_items", "max_items")
        return self

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """Rows ``{what, who, due, status}``: texts stripped, ``due`` an ISO date or None."""
        lab = Label(self)
        items, wrong = rows(lab, value, "action_items_wrong_type")
        if items is None:
            return INVALID, [wrong]
        out: list[Row] = []
        problems: list[Message] = []
        for i, row in enumerate(items, start=1):
            if not isinstance(row, Mapping):
                problems.append(problem("invalid_row", label=lab, i=i))
                continue
            if all(is_empty(row.get(k)) for k in _ROW_KEYS if k != "status"):
                continue  # an empty row of a form
            extra = [str(k) for k in row if k not in _ROW_KEYS]
            if extra:
                problems.append(
                    problem(
                        "unknown_field", "action_unknown_field", label=lab, i=i, fields=join(extra)
                    )
                )
            what = row.get("what")
            if not isinstance(what, str) or not what.strip():
                problems.append(problem("missing_what", label=lab, i=i))
            who = row.get("who")
            if who is not None and not isinstance(who, str):
                problems.append(problem("invalid_who", label=lab, i=i))
            due_raw = row.get("due")
            due = None if is_empty(due_raw) else _iso_date(due_raw)
            if not is_empty(due_raw) and due is None:
                problems.append(problem("invalid_date", label=lab, i=i, value=short(due_raw)))
            status = row.get("status")
            status = "open" if is_empty(status) else status
            if status not in ACTION_STATUSES:
                statuses = Bilingual(
                    join([f"{s} ({_STATUS_DE[s]})" for s in ACTION_STATUSES]),
                    join(list(ACTION_STATUSES)),
                )
                problems.append(
                    problem(
                        "invalid_status", label=lab, i=i, value=short(status), statuses=statuses
                    )
                )
            if not problems:
                out.append(
                    {
                        "what": str(what).strip(),
                        "who": (who or "").strip(),
                        "due": due,
                        "status": status,
                    }
                )
        if problems:
            return INVALID, problems
        counted = count_problems(len(out), self.min_items, self.max_items, "action_items", lab)
        return (INVALID, counted) if counted else (out, [])

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> list[Row]:
        """One to three items (within ``min_items`` .. ``max_items``), due in early 2025."""
        lo = max(self.min_items or 1, 1)
        hi = max(lo, min(self.max_items or 3, 3))
        start = _dt.date(2025, 1, 6)
        return [
            {
                "what": rng.choice(_SAMPLE_ACTIONS),
                "who": rng.choice(_SAMPLE_PEOPLE),
                "due": (start + _dt.timedelta(days=rng.randint(7, 90))).isoformat(),
                "status": rng.choice(ACTION_STATUSES),
            }
            for _ in range(rng.randint(lo, hi))
        ]


def _iso_date(value: object) -> str | None:
    """An ISO date string (``YYYY-MM-DD``) from a str (ISO, or German ``31.03.2025``), date
    or datetime, else ``None``.

    >>> _iso_date("31.3.2025"), _iso_date("2025-03-31"), _iso_date("31.02.2025")
    ('2025-03-31', '2025-03-31', None)
    """
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        parts = text.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            day, month, year = (int(p) for p in parts)
            try:  # the German way of writing a date, D.M.YYYY (day first, always)
                return _dt.date(year, month, day).isoformat()
            except ValueError:
                return None
        if len(text) != 10:
            return None
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    return None
