"""Question type ``long_text``: a longer free text, or a list of lines (ideas)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar, Literal

from transferkit.templates.model import INVALID, Cleaned, JSONValue
from transferkit.templates.types.common import SAMPLE_TEXTS, TextBase

__all__ = ["LongTextQuestion"]


class LongTextQuestion(TextBase):
    """A longer free text; ``one_per_line: true`` marks lists such as ideas (one per line)."""

    type: Literal["long_text"]
    one_per_line: bool = False

    type_order: ClassVar[int] = 20
    draft_tolerates: ClassVar[frozenset[str]] = frozenset({"too_short", "too_long"})

    def clean_answer(self, value: JSONValue) -> Cleaned:
        """The text stripped, line breaks kept; a list of texts becomes one line each."""
        if isinstance(value, list | tuple):
            if not all(isinstance(v, str) for v in value):
                return INVALID, [self.wrong_text()]
            value = "\n".join(v.strip() for v in value if v.strip())
        if not isinstance(value, str):
            return INVALID, [self.wrong_text()]
        return self.check_length(value.replace("\r\n", "\n").strip())

    def example_answer(self, rng: random.Random, answers: Mapping[str, JSONValue]) -> str:
        """Two to four sample sentences, one per line."""
        n = rng.randint(2, 4)
        return self.fit_length("\n".join(rng.sample(SAMPLE_TEXTS, n)), rng)
