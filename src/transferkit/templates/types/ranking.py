"""Question type ``ranking``: put options in order, best first."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import INVALID, Cleaned, HintedError, JSONValue
from transferkit.templates.types.common import ChoiceBase, Label, join, problem, selection

__all__ = ["RankingQuestion"]


class RankingQuestion(ChoiceBase):
    """Order options, best first (all of them, or the best ``top_n``)."""

    type: Literal["ranking"]
    top_n: int | None = Field(default=None, ge=1)

    type_order: ClassVar[int] = 80

    @model_validator(mode="after")
    def _top(self) -> RankingQuestion:
        if self.top_n is not None and self.top_n > len(self.options):
            text = f"top_n is {self.top_n} but there are only {len(self.options)} options"
            raise HintedError(text, "lower top_n or add options")
        return self

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The option values best first: all of them, or exactly ``top_n``."""
        lab = Label(self)
        allowed = self.option_values()
        if isinstance(value, set | frozenset | str):
            value = None  # a ranking needs an order
        ranked, problems = selection(lab, value, allowed)
        if ranked is None:
            return INVALID, problems
        wanted = self.top_n or len(allowed)
        if len(ranked) != wanted:
            missing = [v for v in allowed if v not in ranked]
            code = "incomplete_ranking"
            if self.top_n is None:
                return INVALID, [problem(code, label=lab, missing=join(missing))]
            return INVALID, [
                problem(code, "incomplete_ranking_top", label=lab, n=wanted, count=len(ranked))
            ]
        return ranked, []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> list[str]:
        """The options shuffled (the first ``top_n``)."""
        values = self.option_values()
        rng.shuffle(values)
        return values[: self.top_n or len(values)]
