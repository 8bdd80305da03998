"""Question type ``scale``: a number on a scale from ``min`` to ``max`` in steps."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from transferkit.templates.model import (
    INVALID,
    Cleaned,
    HintedError,
    JSONValue,
    LocalizedText,
    Question,
)
from transferkit.templates.types.common import (
    Label,
    not_a_number,
    number,
    out_of_range,
    problem,
    to_number,
)

__all__ = ["ScaleQuestion"]


class ScaleQuestion(Question):
    """A numeric scale from ``min`` to ``max`` in steps of ``step`` (e.g. 0–10)."""

    type: Literal["scale"]
    min: float = Field(allow_inf_nan=False)
    max: float = Field(allow_inf_nan=False)
    step: float = Field(default=1, gt=0, allow_inf_nan=False)
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None

    type_order: ClassVar[int] = 60
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"not_a_number", "out_of_range", "step"})

    @model_validator(mode="after")
    def _range(self) -> ScaleQuestion:
        if self.min >= self.max:
            text = f"scale min ({self.min:g}) must be below max ({self.max:g})"
            raise HintedError(text, "write e.g. `min: 0` and `max: 10`")
        steps = (self.max - self.min) / self.step
        if not math.isfinite(steps) or steps > 1000:
            text = f"the scale from {self.min:g} to {self.max:g} in steps of {self.step:g} has too many points"
            raise HintedError(text, "use at most 1000 steps, e.g. `min: 0`, `max: 10`, `step: 1`")
        if abs(steps - round(steps)) > 1e-9:
            text = (
                f"the step {self.step:g} does not divide max - min ({self.max - self.min:g}) evenly"
            )
            raise HintedError(text, "choose a step such that (max - min) / step is a whole number")
        return self

    def is_integer(self) -> bool:
        """Whether min, max and step are whole numbers (answers are then ints)."""
        return all(float(x).is_integer() for x in (self.min, self.max, self.step))

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The point of the scale (an int if :meth:`is_integer`), snapped to its step."""
        lab = Label(self)
        num = to_number(value)
        if num is None:
            return INVALID, [not_a_number(lab, value)]
        tol = 1e-9 * max(1.0, abs(self.max), abs(self.min))
        if num < self.min - tol or num > self.max + tol:
            return INVALID, [out_of_range(lab, self.min, self.max)]
        steps = (num - self.min) / self.step
        if abs(steps - round(steps)) > 1e-6:
            return INVALID, [
                problem("step", label=lab, step=number(self.step), min=number(self.min))
            ]
        snapped = self.min + round(steps) * self.step
        if self.is_integer():
            return round(snapped), []
        return float(round(snapped, 10)), []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> int | float:
        """A point of the scale."""
        steps = round((self.max - self.min) / self.step)
        value = self.min + rng.randint(0, steps) * self.step
        return round(value) if self.is_integer() else float(round(value, 10))
