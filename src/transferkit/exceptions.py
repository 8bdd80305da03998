"""Errors raised by transferkit.

Every error derives from :class:`TransferkitError`; its message is complete
and readable by a user: what went wrong, where, and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnswerProblem",
    "AnswerValidationError",
    "DatasetError",
    "EvaluationInputError",
    "ParameterError",
    "QuotaError",
    "ReportError",
    "SheetAlreadySentError",
    "StoreError",
    "StoreFullError",
    "TemplateError",
    "TemplateNotFoundError",
    "TemplateProblem",
    "TransferkitError",
]


class TransferkitError(Exception):
    """Base class of all transferkit errors."""


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in a template file.

    ``location`` is ``"line 12"``, ``"line 12, column 3"`` or a field path
    such as ``"questions[3].points"``; ``hint`` says what to write instead.
    """

    location: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class TemplateError(TransferkitError):
    """A template file cannot be read or does not describe a valid template."""

    def __init__(self, source: str | None, problems: list[TemplateProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        where = source or "<template>"
        lines = [f"Invalid template {where}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class TemplateNotFoundError(TemplateError):
    """No built-in template of that name and no file at that path."""


@dataclass(frozen=True)
class AnswerProblem:
    """One problem in a set of answers: which question, and why, in German and English."""

    question_id: str
    code: str
    message_de: str
    message_en: str

    def message(self, lang: str = "de") -> str:
        """The message in ``lang`` (``"de"`` or ``"en"``)."""
        return self.message_en if lang == "en" else self.message_de

    def __str__(self) -> str:
        return f"{self.question_id}: {self.message_de} / {self.message_en}"


class AnswerValidationError(TransferkitError):
    """Answers do not satisfy their template; lists every problem."""

    def __init__(self, template_id: str, problems: list[AnswerProblem]) -> None:
        self.template_id = template_id
        self.problems = list(problems)
        # i18n imports this module (LanguageError), so the catalogue is imported when needed
        from transferkit.i18n import both

        header = both("answers.invalid_header", template=repr(template_id), n=len(self.problems))
        lines = [header] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def by_question(self) -> dict[str, list[AnswerProblem]]:
        """Problems grouped by question id, in order."""
        grouped: dict[str, list[AnswerProblem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.question_id, []).append(problem)
        return grouped


class StoreError(TransferkitError):
    """The response store cannot do what was asked (bad URL, unknown pilot, ...)."""


class StoreFullError(StoreError):
    """The store cannot take writes: disk full or database read-only. Retrying does not help."""


class QuotaError(StoreError):
    """A limit of drafts (per participant code or in total) is reached."""


class SheetAlreadySentError(TransferkitError):
    """The participant's sheet has been sent already: its draft can no longer change."""


class DatasetError(TransferkitError):
    """A bundled dataset is unknown or cannot be read."""


class EvaluationInputError(TransferkitError, ValueError):
    """Input to an evaluation function is missing, of the wrong type or out of range."""


class ParameterError(TransferkitError):
    """A notebook or report parameter is unknown, of the wrong type or not in the store."""


class ReportError(TransferkitError):
    """A report notebook failed: names the notebook, the cell and the error."""
