"""Answers written as text (a cell of a paper-sheet file or of a survey export) → the JSON the web sheet sends.

One conversion for every importer of responses (paper sheets in
:mod:`transferkit.datasets.paper`, LimeSurvey and KoboToolbox exports in
:mod:`transferkit.exchange.survey_import`), so that a typed ``Kurzer Workshop``
becomes the option value ``workshop`` the same way everywhere. The template
then validates the result exactly as it validates a web sheet's answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transferkit.templates import Question

__all__ = ["NOT_IN_ONE_CELL", "cell_answer", "choice_value"]

#: Question types whose answer does not fit one cell of a row.
NOT_IN_ONE_CELL = ("action_items", "gas_goal")


def choice_value(question: Question, text: str) -> str:
    """The option value for a written value or label (case and spaces ignored); else the text.

    Labels are compared in German and English.
    """
    wanted = " ".join(text.split()).casefold()
    for option in getattr(question, "options", None) or []:
        names = [str(option.value), *(str(option.label.get(lang)) for lang in ("de", "en"))]
        if wanted in (" ".join(n.split()).casefold() for n in names):
            return str(option.value)
    return text.strip()


def cell_answer(question: Question, text: str, *, separator: str | None = ";") -> Any:
    """A written cell as the JSON value the web sheet would send for ``question``.

    Several choices (multiple choice, a ranking) are separated by ``separator``
    (``None``: by white space, as KoboToolbox writes a select_multiple); a dot
    vote is ``option:points`` parts separated by ``;``. Other answers are the
    trimmed text: the template's validation reads numbers (``7,5``) and points.
    """
    kind = question.type
    if kind == "single_choice":
        return choice_value(question, text)
    if kind in ("multi_choice", "ranking"):
        return [choice_value(question, part) for part in text.split(separator) if part.strip()]
    if kind == "dot_vote":
        votes: dict[str, Any] = {}
        for part in (p for p in text.split(";") if p.strip()):
            option, _, points = part.partition(":")
            votes[choice_value(question, option)] = points.strip()
        return votes
    return text.strip()
