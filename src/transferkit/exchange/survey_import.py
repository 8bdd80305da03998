"""Responses from other survey tools (LimeSurvey, KoboToolbox/ODK) into the store, validated like the sheets.

The readers (:mod:`transferkit.exchange.limesurvey`, :mod:`transferkit.exchange.kobo`)
turn an export into a :class:`SurveyData`: its columns, one :class:`SourceRecord` per
response (with the source's response id, whether it is complete, and its cells as
text) and notes on what the file holds that is not imported. This module maps the
columns to the template's questions and stores every record with
``Store.submit``, so the template validates each response exactly as it
validates a web sheet's answers:

- a column belongs to the question whose id equals the source's question code or
  name (KoboToolbox group paths ``group/name`` or ``group-name`` are stripped), or
  to the question a mapping (``{column or code: question id}``) names;
- ``CODE[SUB]`` (LimeSurvey), ``CODE_SUB``, ``CODE.SUB.`` or ``name/choice`` is one
  row of an array (question ``CODE_SUB``), one 0/1 column of a multiple choice
  (``1``/``Y`` chosen, ``0``/``N``/empty not), one place of a ranking (``CODE[1]``
  holds the option ranked first) or the points of one dot-vote option;
- option codes are the option values, or their labels (from the survey
  structure, or written in the cell) match an option's German or English label;
- an empty cell and ``n/a`` are unanswered questions.

Each response gets the submission id ``<source>-<response id>``, so importing the
same file again adds nothing. Incomplete responses, responses the template
refuses and name-like participant codes are skipped and listed with their record
number and the reason; the others are stored (not all or nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exceptions import AnswerValidationError, DatasetError, StoreError
from transferkit.exchange.cells import NOT_IN_ONE_CELL, cell_answer, choice_value
from transferkit.exchange.delimited import read_delimited
from transferkit.privacy import imported_code_problem

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.templates import Question, Template

__all__ = [
    "MISSING",
    "SkippedRecord",
    "SourceRecord",
    "SurveyData",
    "SurveyImportResult",
    "import_survey",
    "import_survey_data",
    "read_delimited",
    "read_mapping",
    "read_survey",
    "survey_source",
]

#: Cell texts that mean "not answered" (KoboToolbox writes ``n/a`` for skipped questions).
MISSING = frozenset({"", "n/a", "N/A"})
_CHOSEN = frozenset({"1", "1.0", "y", "yes", "true", "ja", "x"})
_NOT_CHOSEN = frozenset({"", "0", "0.0", "n", "no", "false", "nein", "n/a"})


@dataclass(frozen=True)
class SourceRecord:
    """One response of the source file: where it is, its id, whether it is complete, its cells."""

    number: int  # 1 for the first response of the file
    where: str  # e.g. "line 3" or "row 3"
    response_id: str | None
    values: Mapping[str, str]
    incomplete: str | None = None  # why the response is incomplete, or None
    submitted_at: str | None = None


@dataclass
class SurveyData:
    """A survey export read into columns and records, with what the import should know about it."""

    source: str  # "limesurvey" or "kobo": the prefix of submission ids
    description: str  # e.g. "LimeSurvey survey 734488 (results.lsr)"
    columns: list[str]
    records: list[SourceRecord]
    #: column name → the (question code, sub code) pairs it may stand for, most specific first
    candidates: Callable[[str], list[tuple[str, str | None]]]
    #: columns that hold the source's own data (ids, dates, timings), not answers
    is_metadata: Callable[[str], bool]
    #: question code → option (or sub-question) code → labels in the source's languages
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: how several choices are separated in one cell (None: white space)
    separator: str | None = ";"
    notes: list[str] = field(default_factory=list)
    #: the part of a submission id before the response id, e.g. "limesurvey-734488"
    id_prefix: str = ""


@dataclass(frozen=True)
class SkippedRecord:
    """A response that was not stored, and why."""

    number: int
    where: str
    response_id: str | None
    reason: str

    def __str__(self) -> str:
        which = f", response id {self.response_id}" if self.response_id else ""
        return f"record {self.number} ({self.where}{which}): {self.reason}"


@dataclass
class SurveyImportResult:
    """What an import did: responses added, found from an earlier import, skipped; notes."""

    description: str
    added: int = 0
    already: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: how many responses were added, imported before and skipped."""
        return (
            f"{self.description}: {self.added} new responses, {self.already} imported before, "
            f"{len(self.skipped)} skipped"
        )


# ---------------------------------------------------------------- columns → questions


@dataclass(frozen=True)
class _Target:
    question: str
    sub: str | None  # option (0/1 column, dot-vote points) or rank position
    code: str  # the source's question code (its option labels are filed under it)


def _map_columns(
    data: SurveyData,
    questions: Mapping[str, Question],
    mapping: Mapping[str, str],
    participant_column: str | None,
) -> tuple[dict[str, _Target], list[str]]:
    """Each answer column's question (and option), and notes on columns and questions left over."""
    targets: dict[str, _Target] = {}
    notes: list[str] = []
    unknown: list[str] = []
    misfit: list[str] = []
    misfit_columns: set[str] = set()
    others: list[str] = []
    for column in data.columns:
        if not column or column == participant_column:
            continue
        target: _Target | None = None
        named = mapping.get(column)
        for code, sub in data.candidates(column):
            qid = mapping.get(code, code) if named is None else named
            if qid not in questions:
                continue
            question = questions[qid]
            if sub == "other" and not _has_other(question):
                continue  # the text beside "Other" of a question without an option "other"
            if sub == "other":
                others.append(column)
            if (
                sub is None
                or question.type in ("multi_choice", "dot_vote")
                or (question.type == "ranking" and sub.isdigit())
            ):
                target = _Target(qid, sub, code)
                break
            misfit.append(f"{column!r} ({question.type} {qid!r})")
            misfit_columns.add(column)
            break
        if target is not None:
            targets[column] = target
        elif not data.is_metadata(column) and column not in misfit_columns:
            unknown.append(column)
    if unknown:
        notes.append(
            f"{len(unknown)} column(s) match no question of the template and were not imported: "
            + ", ".join(repr(c) for c in unknown)
        )
    if others:
        notes.append(
            "column(s) with the text written beside 'Other': 'other' counted as chosen, the text "
            "not kept: " + ", ".join(repr(c) for c in others)
        )
    if misfit:
        notes.append(
            "column(s) for one part of a question that takes one answer, not imported: "
            + ", ".join(misfit)
        )
    answered = {t.question for t in targets.values()}
    for qid, question in questions.items():
        if question.type in NOT_IN_ONE_CELL and qid in answered:
            notes.append(
                f"question {qid!r} is a {question.type} question, which an export column cannot "
                "hold: its column was not imported"
            )
    missing = [qid for qid in questions if qid not in answered]
    if missing:
        notes.append(
            "question(s) of the template with no column in the file (left unanswered): "
            + ", ".join(missing)
        )
    return {
        c: t for c, t in targets.items() if questions[t.question].type not in NOT_IN_ONE_CELL
    }, notes


def _has_other(question: Question) -> bool:
    """Whether a multiple choice has the option ``other`` (LimeSurvey's "Other" field fills it)."""
    options = getattr(question, "options", None) or []
    return question.type == "multi_choice" and any(str(o.value) == "other" for o in options)


def _option(question: Question, code: str, labels: Mapping[str, list[str]]) -> str:
    """The option value for a source's option code: the code itself, or the option its label names."""
    values = [str(o.value) for o in getattr(question, "options", None) or []]
    if code in values:
        return code
    for label in labels.get(code, []):
        value = choice_value(question, label)
        if value in values:
            return value
    return choice_value(question, code)


def _answers(
    record: SourceRecord,
    targets: Mapping[str, _Target],
    questions: Mapping[str, Question],
    data: SurveyData,
) -> tuple[dict[str, Any], list[str]]:
    """The answers of one record as the web sheet would send them, and problems with its cells."""
    whole: dict[str, tuple[str, str]] = {}
    parts: dict[str, list[tuple[str, str, str]]] = {}
    codes: dict[str, str] = {}
    for column, target in targets.items():
        text = record.values.get(column, "").strip()
        codes.setdefault(target.question, target.code)
        if target.sub is None:
            if text not in MISSING:
                whole[target.question] = (text, target.code)
        else:
            parts.setdefault(target.question, []).append((target.sub, text, column))
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for qid, (text, code) in whole.items():
        question = questions[qid]
        labels = data.labels.get(code) or data.labels.get(qid, {})
        if question.type == "single_choice":
            answers[qid] = _option(question, text, labels)
        elif question.type in ("multi_choice", "ranking"):
            pieces = text.split(data.separator) if data.separator else text.split()
            answers[qid] = [_option(question, p.strip(), labels) for p in pieces if p.strip()]
        else:
            answers[qid] = cell_answer(question, text)
    for qid, cells in parts.items():
        if qid in answers:  # the summary column (KoboToolbox writes both) wins
            continue
        question = questions[qid]
        labels = data.labels.get(codes[qid]) or data.labels.get(qid, {})
        if question.type == "multi_choice":
            chosen = []
            for sub, text, column in cells:
                flag = text.casefold()
                if sub == "other":  # LimeSurvey's "Other": its field holds the text written in
                    if text not in MISSING:
                        chosen.append("other")
                elif flag in _CHOSEN:
                    chosen.append(_option(question, sub, labels))
                elif flag not in _NOT_CHOSEN:
                    problems.append(
                        f"{column}: {text!r} is neither 1/Y (chosen) nor 0/N/empty (not chosen)"
                    )
            if chosen or any(
                t not in MISSING for _, t, _ in cells
            ):  # all n/a: not shown, unanswered
                answers[qid] = chosen
        elif question.type == "ranking":
            ranked = sorted((int(sub), text) for sub, text, _ in cells if text not in MISSING)
            if ranked:
                answers[qid] = [_option(question, text, labels) for _, text in ranked]
        else:  # dot_vote: the points of each option
            votes = {
                _option(question, sub, labels): text
                for sub, text, _ in cells
                if text not in MISSING
            }
            if votes:
                answers[qid] = votes
    return answers, problems


def _submission_id(data: SurveyData, record: SourceRecord) -> str:
    if record.response_id:
        return f"{data.id_prefix}-{record.response_id}"
    cells = "\x1f".join(f"{k}={v}" for k, v in sorted(record.values.items()))
    return f"{data.id_prefix}-row-" + hashlib.sha256(cells.encode("utf-8")).hexdigest()[:32]


def import_survey_data(
    store: Store,
    template: Template,
    data: SurveyData,
    *,
    participant_column: str | None = None,
    pilot: str | None = None,
    loop: int | None = None,
    phase: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> SurveyImportResult:
    """Store the complete, valid responses of ``data``; list the skipped ones with their reasons.

    ``participant_column`` names the column holding each respondent's pseudonymous
    code (e.g. LimeSurvey's ``token``); a code that looks like a name is refused
    (:func:`transferkit.privacy.imported_code_problem`: a survey tool's random
    token is a code) and its response skipped.
    ``mapping`` maps source columns or question codes to question ids where they
    differ. Responses stored before (same source and response id) are counted,
    not stored again.
    """
    mapping = dict(mapping or {})
    questions = {q.id: q for q in template.all_questions(phase)}
    unknown_targets = sorted(v for v in mapping.values() if v not in questions)
    if unknown_targets:
        msg = (
            f"The mapping names question(s) {', '.join(map(repr, unknown_targets))} that template "
            f"{template.id!r} does not have; its questions: {', '.join(questions)}"
        )
        raise DatasetError(msg)
    if participant_column is not None and participant_column not in data.columns:
        msg = (
            f"{data.description} has no column {participant_column!r} (--participant-column); "
            f"its columns: {', '.join(c for c in data.columns if c)}"
        )
        raise DatasetError(msg)
    if pilot is not None and pilot not in set(store.pilots()["pilot_id"]):
        msg = (
            f"Unknown pilot {pilot!r}: add it first with `transferkit pilot add` "
            "(or store.add_pilot(...)), then import again"
        )
        raise DatasetError(msg)
    targets, notes = _map_columns(data, questions, mapping, participant_column)
    result = SurveyImportResult(data.description, notes=[*data.notes, *notes])
    if not targets:
        msg = (
            f"No column of {data.description} matches a question of template {template.id!r}. "
            "Name the template's questions like the survey's question codes (LimeSurvey) or names "
            f"(KoboToolbox), or give a mapping. The file's columns: {', '.join(data.columns)}; "
            f"the template's questions: {', '.join(questions)}"
        )
        raise DatasetError(msg)
    stored = store.responses()
    known = set(stored["submission_id"]) if "submission_id" in stored else set()
    seen: dict[str, int] = {}

    def skip(record: SourceRecord, reason: str) -> None:
        result.skipped.append(
            SkippedRecord(record.number, record.where, record.response_id, reason)
        )

    with store.bulk():
        for record in data.records:
            if record.incomplete:
                skip(record, record.incomplete)
                continue
            sid = _submission_id(data, record)
            if sid in seen:
                skip(record, f"the same response as record {seen[sid]} (same response id)")
                continue
            seen[sid] = record.number
            if sid in known:
                result.already += 1
                continue
            participant = None
            if participant_column is not None:
                participant = record.values.get(participant_column, "").strip() or None
                problem = None if participant is None else imported_code_problem(participant)
                if problem == "name":
                    skip(
                        record,
                        f"participant code {participant!r} looks like a name or an e-mail "
                        "address: refused (store pseudonymous codes only)",
                    )
                    continue
                if problem is not None:
                    skip(
                        record,
                        f"participant code {participant!r} is not a code: 3–32 letters, "
                        "digits, '_', '.', '-', with at least one digit",
                    )
                    continue
            answers, problems = _answers(record, targets, questions, data)
            if problems:
                skip(record, "; ".join(problems))
                continue
            try:
                store.submit(
                    template,
                    answers,
                    pilot=pilot,
                    loop=loop,
                    phase=phase,
                    participant=participant,
                    submission_id=sid,
                    submitted_at=record.submitted_at,
                )
            except AnswerValidationError as error:
                skip(record, "; ".join(f"{p.question_id}: {p.message_en}" for p in error.problems))
                continue
            except StoreError as error:
                if (
                    error.__cause__ is not None
                ):  # the database refused: nothing of this import stays
                    raise
                skip(record, str(error))
                continue
            result.added += 1
    return result


# ---------------------------------------------------------------- one call for a file

_LIMESURVEY_COLUMNS = frozenset({"submitdate", "lastpage", "startlanguage"})
_KOBO_COLUMNS = frozenset({"_uuid", "_submission_time", "_index", "meta/instanceID", "_id"})


def survey_source(path: Path, structure: Path | None = None) -> str:
    """``"limesurvey"`` or ``"kobo"``: which tool wrote ``path`` (its suffix, its structure file, its columns)."""
    suffix = path.suffix.lower()
    if suffix in (".lsr", ".lss", ".lsa"):
        return "limesurvey"
    if structure is not None:
        if structure.suffix.lower() in (".lss", ".txt", ".tsv"):
            return "limesurvey"
        if structure.suffix.lower() in (".xlsx", ".xls"):
            return "kobo"
    if suffix in (".xlsx", ".xlsm"):
        return "kobo"
    header = set(read_delimited(path)[0])
    if header & _LIMESURVEY_COLUMNS:
        return "limesurvey"
    if header & _KOBO_COLUMNS or any("/" in h for h in header):
        return "kobo"
    msg = (
        f"Cannot tell which tool exported {path.name}: it has neither LimeSurvey's columns "
        f"({', '.join(sorted(_LIMESURVEY_COLUMNS))}) nor KoboToolbox's ({', '.join(sorted(_KOBO_COLUMNS))}). "
        "Say it with --source limesurvey or --source kobo"
    )
    raise DatasetError(msg)


def read_survey(
    path: str | Path,
    structure: str | Path | None = None,
    *,
    source: str | None = None,
    survey_id: str | None = None,
) -> SurveyData:
    """Read a LimeSurvey or KoboToolbox/ODK export (``source``: which; else recognised from the file)."""
    from transferkit.exchange.kobo import read_kobo
    from transferkit.exchange.limesurvey import read_limesurvey

    path = Path(path)
    structure_path = Path(structure) if structure is not None else None
    source = source or survey_source(path, structure_path)
    if source == "limesurvey":
        return read_limesurvey(path, structure_path, survey_id=survey_id)
    if source == "kobo":
        return read_kobo(path, structure_path)
    msg = f"Unknown survey source {source!r}: limesurvey or kobo"
    raise DatasetError(msg)


def read_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: YAML ``source column or code: question id``, one per line."""
    import yaml

    path = Path(path)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        msg = f"Cannot read the mapping {path}: {error}"
        raise DatasetError(msg) from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        msg = (
            f"{path} is not a mapping: write one `source column or code: question id` per line, "
            "e.g. `G01Q01: format`"
        )
        raise DatasetError(msg)
    return {str(k): v for k, v in loaded.items()}


def import_survey(
    store: Store,
    template: Template,
    path: str | Path,
    *,
    structure: str | Path | None = None,
    source: str | None = None,
    participant_column: str | None = None,
    pilot: str | None = None,
    loop: int | None = None,
    phase: str | None = None,
    mapping: Mapping[str, str] | None = None,
    survey_id: str | None = None,
) -> SurveyImportResult:
    """Read a LimeSurvey or KoboToolbox/ODK export and store its responses (:func:`import_survey_data`)."""
    data = read_survey(path, structure, source=source, survey_id=survey_id)
    return import_survey_data(
        store,
        template,
        data,
        participant_column=participant_column,
        pilot=pilot,
        loop=loop,
        phase=phase,
        mapping=mapping,
    )
