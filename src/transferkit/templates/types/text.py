"""Question type ``text``: a short free text on one line."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from transferkit.templates.model import INVALID, Cleaned, JSONValue
from transferkit.templates.types.common import SAMPLE_TEXTS, TextBase

__all__ = ["TextQuestion"]


class TextQuestion(TextBase):
    """A short free text (one line), optionally ``min_length`` .. ``max_length`` characters."""

    type: Literal["text"]

    type_order: ClassVar[int] = 10
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"too_short", "too_long"})

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The text stripped, runs of white space made one space."""
        if not isinstance(value, str):
            return INVALID, [self.wrong_text()]
        text = " ".join(value.replace("\r\n", "\n").strip().split())
        return self.check_length(text)

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> str:
        """One sample sentence."""
        return self.fit_length(rng.choice(SAMPLE_TEXTS), rng)
