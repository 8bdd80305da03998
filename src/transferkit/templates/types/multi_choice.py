"""Question type ``multi_choice``: choose several options."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import INVALID, Cleaned, HintedError, JSONValue
from transferkit.templates.types.common import ChoiceBase, Label, check_min_max, problem, selection

__all__ = ["MultiChoiceQuestion"]


class MultiChoiceQuestion(ChoiceBase):
    """Choose several options (``min_selected`` .. ``max_selected``)."""

    type: Literal["multi_choice"]
    min_selected: int | None = Field(default=None, ge=0)
    max_selected: int | None = Field(default=None, ge=1)

    type_order: ClassVar[int] = 40
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"too_few"})

    @model_validator(mode="after")
    def _bounds(self) -> MultiChoiceQuestion:
        check_min_max(self.min_selected, self.max_selected, "min_selected", "max_selected")
        if self.min_selected is not None and self.min_selected > len(self.options):
            text = f"min_selected is {self.min_selected} but there are only {len(self.options)} options"
            raise HintedError(text, "lower min_selected or add options")
        return self

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The chosen option values in the order of the options (one value counts as a list)."""
        lab = Label(self)
        allowed = self.option_values()
        chosen, problems = selection(lab, value, allowed)
        if chosen is None:
            return INVALID, problems
        n = len(chosen)
        if self.min_selected is not None and 0 < n < self.min_selected:
            return INVALID, [
                problem("too_few", "multi_too_few", label=lab, min=self.min_selected, n=n)
            ]
        if self.max_selected is not None and n > self.max_selected:
            return INVALID, [
                problem("too_many", "multi_too_many", label=lab, max=self.max_selected, n=n)
            ]
        return [v for v in allowed if v in chosen], []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> list[str]:
        """Between ``min_selected`` (at least one) and ``max_selected`` options."""
        values = self.option_values()
        lo = max(self.min_selected or 1, 1)
        hi = min(self.max_selected or len(values), len(values))
        chosen = set(rng.sample(values, rng.randint(lo, max(lo, hi))))
        return [v for v in values if v in chosen]
