"""Question type ``dot_vote``: distribute a budget of points over options or ideas."""

from __future__ import annotations

import random
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import (
    INVALID,
    Cleaned,
    HintedError,
    JSONValue,
    Message,
    Option,
    Question,
    SheetProblem,
)
from transferkit.templates.types.common import (
    Label,
    as_value,
    invalid_option,
    problem,
    short,
    to_int,
)

__all__ = ["DotVoteQuestion"]


class DotVoteQuestion(Question):
    """Distribute a ``budget`` of points over options or over other participants' ideas.

    With ``source: ideas`` there are no fixed options: any idea id is a valid
    key; ``ideas_from`` may name the question that collects the ideas.
    """

    type: Literal["dot_vote"]
    source: Literal["options", "ideas"] = "options"
    options: list[Option] = Field(default_factory=list)
    ideas_from: str | None = None
    budget: int = Field(ge=1, description="points each participant may give")
    max_per_item: int | None = Field(default=None, ge=1)

    type_order: ClassVar[int] = 90

    @model_validator(mode="after")
    def _source(self) -> DotVoteQuestion:
        if self.source == "options" and not self.options:
            text = "a dot vote over options needs options"
            raise HintedError(text, "add `options:` or write `source: ideas`")
        if self.source == "ideas" and self.options:
            text = "a dot vote over ideas takes no options"
            raise HintedError(text, "remove `options:` or write `source: options`")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            text = "duplicate option values in dot vote"
            raise HintedError(text, "give every option its own `value`")
        return self

    def option_values(self) -> list[str]:
        """The option values, in order (empty for ``source: ideas``)."""
        return [o.value for o in self.options]

    def sheet_problems(self, ids: AbstractSet[str]) -> list[SheetProblem]:
        """``ideas_from`` must name a question of the same sheet or phase."""
        if self.ideas_from is None or self.ideas_from in ids:
            return []
        return [
            (
                ("ideas_from",),
                f"ideas_from refers to the unknown question {self.ideas_from!r}",
                "name the question that collects the ideas, e.g. `ideas`",
            )
        ]

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """Option value (or idea id) -> whole points from 0; at most ``budget`` in all."""
        lab = Label(self)
        if not isinstance(value, Mapping):
            return INVALID, [problem("wrong_type", f"dot_vote_wrong_type_{self.source}", label=lab)]
        allowed = self.option_values()
        out: dict[str, int] = {}
        problems: list[Message] = []
        for key, points in value.items():
            k = as_value(key)
            if k is None or not k or (self.source == "options" and k not in allowed):
                if self.source == "options":
                    problems.append(invalid_option(lab, key, allowed))
                else:
                    problems.append(problem("invalid_idea", label=lab, value=short(key)))
                continue
            n = to_int(points)
            if n is None or n < 0:
                problems.append(problem("invalid_points", label=lab, value=short(points), key=k))
                continue
            if k in out:
                problems.append(problem("duplicate", "dot_vote_duplicate", label=lab, key=k))
                continue
            if self.max_per_item is not None and n > self.max_per_item:
                problems.append(
                    problem("too_many_points", label=lab, max=self.max_per_item, key=k, n=n)
                )
                continue
            out[k] = n
        if problems:
            return INVALID, problems
        total = sum(out.values())
        if total > self.budget:
            return INVALID, [problem("over_budget", label=lab, total=total, budget=self.budget)]
        return out, []

    def example_answer(
        self, rng: random.Random, answers: Mapping[str, JSONValue]
    ) -> dict[str, int]:
        """The budget spread at random (over the ideas of ``ideas_from`` in ``answers``)."""
        if self.source == "options":
            keys = self.option_values()
        else:
            ideas = answers.get(self.ideas_from or "", "")
            n = len(ideas.splitlines()) if isinstance(ideas, str) and ideas else 3
            keys = [f"idea_{i}" for i in range(1, n + 1)]
        votes = dict.fromkeys(keys, 0)
        cap = self.max_per_item or self.budget
        for _ in range(self.budget):
            open_keys = [k for k in keys if votes[k] < cap]
            if not open_keys:
                break
            votes[rng.choice(open_keys)] += 1
        return {k: v for k, v in votes.items() if v} or {keys[0]: 0}
