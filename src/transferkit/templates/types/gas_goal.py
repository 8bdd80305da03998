"""Question type ``gas_goal``: Goal Attainment Scaling (goals with five levels, -2..+2)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import (
    INVALID,
    Cleaned,
    JSONValue,
    Message,
    Question,
    Row,
    is_empty,
)
from transferkit.templates.types.common import (
    Label,
    check_min_max,
    count_problems,
    join,
    problem,
    rows,
    short,
    to_float,
    to_int,
)

__all__ = ["GAS_LEVELS", "GasGoalQuestion"]

#: Keys of the ``levels`` mapping of a GAS goal, from much worse to much better.
GAS_LEVELS: tuple[str, ...] = ("-2", "-1", "0", "1", "2")

_GOAL_KEYS = ("goal", "weight", "levels", "baseline", "follow_up")
_SAMPLE_GOALS = (
    "Anfragen werden vollständig im Ticketsystem bearbeitet",
    "Mitarbeitende nutzen wöchentlich ein Micro-Learning",
    "Materialausschuss in der Fertigung sinkt",
    "Ein KI-Assistent unterstützt die Angebotserstellung",
    "Jedes Team führt monatlich eine Wissensrunde durch",
)
_GAS_TEXTS = (
    "viel schlechter als erwartet",
    "etwas schlechter als erwartet",
    "erwartetes Ergebnis",
    "etwas besser als erwartet",
    "viel besser als erwartet",
)


class GasGoalQuestion(Question):
    """Goal Attainment Scaling: goals with five levels (-2..+2), a weight and levels reached."""

    type: Literal["gas_goal"]
    min_goals: int | None = Field(default=1, ge=0)
    max_goals: int | None = Field(default=None, ge=1)
    follow_up_required: bool = False

    type_order: ClassVar[int] = 110
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"missing_goal", "too_few"})

    @model_validator(mode="after")
    def _bounds(self) -> GasGoalQuestion:
        check_min_max(self.min_goals, self.max_goals, "min_goals", "max_goals")
        return self

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """Goals ``{goal, weight, levels, baseline, follow_up}``, levels keyed ``"-2"`` .. ``"2"``."""
        lab = Label(self)
        goals, wrong = rows(lab, value, "gas_goal_wrong_type")
        if goals is None:
            return INVALID, [wrong]
        out: list[Row] = []
        problems: list[Message] = []
        for i, row in enumerate(goals, start=1):
            if not isinstance(row, Mapping):
                problems.append(problem("invalid_goal", label=lab, i=i))
                continue
            if all(is_empty(v) for v in row.values()):
                continue
            row_problems: list[Message] = []
            extra = [str(k) for k in row if k not in _GOAL_KEYS]
            if extra:
                row_problems.append(
                    problem(
                        "unknown_field",
                        "goal_unknown_field",
                        label=lab,
                        i=i,
                        fields=join(extra),
                        keys=join(list(_GOAL_KEYS)),
                    )
                )
            goal = row.get("goal")
            if not isinstance(goal, str) or not goal.strip():
                row_problems.append(problem("missing_goal", label=lab, i=i))
            weight_raw = row.get("weight")
            weight = 1.0 if weight_raw is None else to_float(weight_raw)
            if weight is None or weight <= 0:
                row_problems.append(
                    problem("invalid_weight", label=lab, i=i, value=short(weight_raw))
                )
            levels_raw = row.get("levels")
            levels: dict[str, str] = {}
            levels_ok = isinstance(levels_raw, Mapping)
            if isinstance(levels_raw, Mapping):
                for key, text in levels_raw.items():
                    k = _level_key(key)
                    if k is None or k in levels or not isinstance(text, str) or not text.strip():
                        levels_ok = False
                        break
                    levels[k] = text.strip()
            if not levels_ok or set(levels) != set(GAS_LEVELS):
                row_problems.append(problem("invalid_levels", label=lab, i=i))
            baseline = _gas_level(row.get("baseline"))
            if baseline is None:
                row_problems.append(problem("invalid_baseline", label=lab, i=i))
            follow_raw = row.get("follow_up")
            follow_up = None if is_empty(follow_raw) else _gas_level(follow_raw)
            if (not is_empty(follow_raw) and follow_up is None) or (
                follow_up is None and self.follow_up_required
            ):
                row_problems.append(problem("invalid_follow_up", label=lab, i=i))
            if row_problems:
                problems += row_problems
                continue
            out.append(
                {
                    "goal": str(goal).strip(),
                    "weight": float(weight or 1.0),
                    "levels": {k: levels[k] for k in GAS_LEVELS},
                    "baseline": baseline,
                    "follow_up": follow_up,
                }
            )
        if problems:
            return INVALID, problems
        counted = count_problems(len(out), self.min_goals, self.max_goals, "gas_goal", lab)
        return (INVALID, counted) if counted else (out, [])

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> list[Row]:
        """One to three goals (within ``min_goals`` .. ``max_goals``), all levels described."""
        lo = max(self.min_goals or 1, 1)
        hi = max(lo, min(self.max_goals or 3, 3))
        goals = []
        for _ in range(rng.randint(lo, hi)):
            topic = rng.choice(_SAMPLE_GOALS)
            goals.append(
                {
                    "goal": topic,
                    "weight": float(rng.choice([1, 1, 2, 3])),
                    "levels": {
                        k: f"{topic}: {t}" for k, t in zip(GAS_LEVELS, _GAS_TEXTS, strict=True)
                    },
                    "baseline": rng.choice([-2, -1]),
                    "follow_up": rng.randint(-2, 2),
                }
            )
        return goals


def _level_key(key: object) -> str | None:
    """Normalise a GAS level key (``-2``, ``"+1"``, ``" 0"``) to ``"-2"`` .. ``"2"``."""
    n = to_int(key)
    return str(n) if n is not None and -2 <= n <= 2 else None


def _gas_level(value: object) -> int | None:
    n = to_int(value)
    return n if n is not None and -2 <= n <= 2 else None
