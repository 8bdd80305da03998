"""Question type ``number``: a number, optionally whole, between ``min`` and ``max``."""

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
from transferkit.templates.types.common import Label, not_a_number, out_of_range, problem, to_number

__all__ = ["NumberQuestion"]


class NumberQuestion(Question):
    """A number, optionally between ``min`` and ``max`` (``integer: true`` for whole numbers)."""

    type: Literal["number"]
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    integer: bool = False
    unit: LocalizedText | None = None

    type_order: ClassVar[int] = 70
    draft_tolerates: ClassVar[frozenset[str]] = frozenset(
        {"not_a_number", "out_of_range", "not_integer"}
    )

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            text = f"number min ({self.min:g}) is above max ({self.max:g})"
            raise HintedError(text, "swap min and max")
        if (
            self.integer
            and self.min is not None
            and self.max is not None
            and math.ceil(self.min) > math.floor(self.max)
        ):
            text = f"no whole number lies between min ({self.min:g}) and max ({self.max:g})"
            raise HintedError(text, "widen the range or write `integer: false`")
        return self

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The number (``"2,5"`` is read as 2.5; an int if ``integer``)."""
        lab = Label(self)
        num = to_number(value)
        if num is None:
            return INVALID, [not_a_number(lab, value)]
        if self.integer and not isinstance(num, int):
            if not num.is_integer():
                return INVALID, [problem("not_integer", label=lab)]
            num = int(num)
        if (self.min is not None and num < self.min) or (self.max is not None and num > self.max):
            return INVALID, [out_of_range(lab, self.min, self.max)]
        return num, []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> int | float:
        """A number in the range (whole if ``integer`` or the bounds are whole)."""
        low = (
            self.min
            if self.min is not None
            else min(0.0, self.max if self.max is not None else 0.0)
        )
        high = self.max if self.max is not None else low + 100.0
        if math.ceil(low) <= math.floor(high) and (
            self.integer or (float(low).is_integer() and float(high).is_integer())
        ):
            return rng.randint(math.ceil(low), math.floor(high))
        return min(max(round(rng.uniform(low, high), 1), low), high)
