"""Question type ``likert``: a rating on 4 to 7 or 10 labelled points."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from transferkit.templates.model import (
    INVALID,
    Cleaned,
    HintedError,
    JSONValue,
    LocalizedText,
    Question,
    Strict,
)
from transferkit.templates.types.common import Label, join, problem, short, to_int

__all__ = ["LIKERT_POINT_COUNTS", "LikertPoint", "LikertQuestion"]

#: Allowed numbers of points of a Likert item.
LIKERT_POINT_COUNTS: tuple[int, ...] = (4, 5, 6, 7, 10)


class LikertPoint(Strict):
    """One labelled point of a Likert item."""

    value: int
    label: LocalizedText


class LikertQuestion(Question):
    """A rating on labelled points (4 to 7 or 10 points); ``reverse`` marks reverse-keyed items."""

    type: Literal["likert"]
    points: list[LikertPoint] = Field(
        description="4 to 7 or 10 labelled points",
        json_schema_extra={"minItems": 4, "maxItems": 10},
    )
    reverse: bool = False

    type_order: ClassVar[int] = 50

    @field_validator("points")
    @classmethod
    def _point_count(cls, points: list[LikertPoint]) -> list[LikertPoint]:
        if len(points) not in LIKERT_POINT_COUNTS:
            text = f"likert needs 4 to 7 or 10 points; you gave {len(points)}"
            hint = "list 4, 5, 6, 7 or 10 points, each `{value: 1, label: {de: …, en: …}}`"
            raise HintedError(text, hint)
        values = [p.value for p in points]
        if len(set(values)) != len(values):
            text = f"likert point values must differ; you gave {values}"
            raise HintedError(text, "number the points, e.g. 1, 2, 3, 4, 5")
        return points

    def point_values(self) -> list[int]:
        """The point values, in order."""
        return [p.value for p in self.points]

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The point value as an int (``"3"`` and ``3.0`` are read as ``3``)."""
        lab = Label(self)
        values = self.point_values()
        v = to_int(value)
        if v is None or v not in values:
            shown = join([str(x) for x in values])
            return INVALID, [problem("invalid_point", label=lab, points=shown, value=short(value))]
        return v, []

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> int:
        """One of the points."""
        return rng.choice(self.point_values())
