"""Question type ``single_choice``: choose exactly one option."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from transferkit.templates.model import INVALID, Cleaned, JSONValue
from transferkit.templates.types.common import ChoiceBase, Label, as_value, invalid_option

__all__ = ["SingleChoiceQuestion"]


class SingleChoiceQuestion(ChoiceBase):
    """Choose exactly one option."""

    type: Literal["single_choice"]

    type_order: ClassVar[int] = 30

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The option value (a number given for a value such as ``"3"`` is read as text)."""
        allowed = self.option_values()
        v = as_value(value)
        if v is None or v not in allowed:
            return INVALID, [invalid_option(Label(self), value, allowed)]
        return v, []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> str:
        """One of the options."""
        return rng.choice(self.option_values())
