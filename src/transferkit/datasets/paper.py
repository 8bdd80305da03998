"""Answers from paper sheets, typed into a CSV or XLSX file, stored like web-sheet answers.

One row per filled-in sheet; the columns are the template's question ids plus
``sheet`` (the number written on the paper sheet, which makes a second import of
the same file add nothing), and optionally ``participant``, ``pilot``, ``loop``
and ``phase`` (else the command's options give them). Each row is validated by
the template exactly as the web sheet's answers are
(:meth:`~transferkit.templates.Template.validate` inside ``Store.submit``):

- numbers as typed (``4``, ``7,5``); choice answers as the option value or its
  label (``workshop`` or ``Workshop``); several choices (multiple choice, a
  ranking) separated by ``;``; a dot vote as ``option:points;option:points``;
- an empty cell is an unanswered question.

Question types that do not fit one cell (action items, GAS goals) are refused
with a message naming them. All or nothing: one transaction, and one
:class:`~transferkit.exceptions.DatasetError` lists every problem by line (row)
and question.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.datasets.tables import read_csv, read_workbook
from transferkit.exceptions import AnswerValidationError, DatasetError, StoreError
from transferkit.exchange.cells import NOT_IN_ONE_CELL, cell_answer

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.templates import Template

__all__ = ["NOT_ON_PAPER", "import_paper_answers", "paper_submission_id"]

#: Question types whose answer does not fit one cell of a row.
NOT_ON_PAPER = NOT_IN_ONE_CELL
_CONTEXT = ("sheet", "participant", "pilot", "loop", "phase")


def paper_submission_id(
    template: str, pilot: str | None, loop: int | None, phase: str | None, sheet: str
) -> str:
    """The submission id of paper sheet number ``sheet``: the same sheet always gets the same id.

    >>> paper_submission_id("training_feedback", "P01", 1, None, "17")[:6]
    'paper-'
    """
    key = "\x1f".join([template, pilot or "", str(loop or ""), phase or "", sheet.strip()])
    return "paper-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], bool]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path)
        if not sheets:
            msg = f"{path} has no sheet"
            raise DatasetError(msg)
        header, rows = next(iter(sheets.values()))  # the first sheet
        return header, rows, True
    header, rows, _delimiter = read_csv(path)
    return header, rows, False


def import_paper_answers(
    store: Store,
    template: Template,
    path: str | Path,
    *,
    pilot: str | None = None,
    loop: int | None = None,
    phase: str | None = None,
) -> int:
    """Store the answers of paper sheets in ``path`` (CSV or XLSX); return the number of new responses.

    Sheets imported before (same sheet number, template, pilot, loop and phase) are skipped.
    """
    path = Path(path)
    header, rows, workbook = _rows(path)
    where = "row" if workbook else "line"
    names = [cell.strip() for cell in header]
    questions = {q.id: q for q in template.all_questions(phase)}
    problems: list[tuple[int, str]] = []
    unknown = [n for n in names if n and n not in questions and n not in _CONTEXT]
    if unknown:
        valid = ", ".join([*_CONTEXT, *questions])
        problems.append(
            (
                1,
                (
                    f"unknown column(s) {', '.join(repr(n) for n in unknown)}; "
                    f"the columns of {template.id!r}{f' ({phase})' if phase else ''}: {valid}"
                ),
            )
        )
    if "sheet" not in names:
        problems.append(
            (
                1,
                (
                    "column 'sheet' is missing: the number written on each paper sheet "
                    "(so importing the file again adds nothing)"
                ),
            )
        )
    for name in names:
        if name in questions and questions[name].type in NOT_ON_PAPER:
            problems.append(
                (
                    1,
                    (
                        f"column {name!r} is a {questions[name].type} question, which does not "
                        "fit one cell: leave the column out and enter these answers in the web sheet"
                    ),
                )
            )
    if not rows:
        problems.append((1, "the file has no rows below the header line"))
    before = int(store.info()["counts"]["responses"])
    seen: dict[str, int] = {}
    with store.bulk():  # one transaction: an error below rolls everything back
        for line, cells in rows if not problems else []:
            row = {
                name: (cells[i] if i < len(cells) else "").strip()
                for i, name in enumerate(names)
                if name
            }
            sheet = row.get("sheet", "")
            if not sheet:
                problems.append((line, "sheet is empty: write the paper sheet's number"))
                continue
            if sheet in seen:
                problems.append((line, f"sheet {sheet} appears already in {where} {seen[sheet]}"))
                continue
            seen[sheet] = line
            row_pilot = row.get("pilot") or pilot
            try:
                row_loop = int(row["loop"]) if row.get("loop") else loop
            except ValueError:
                problems.append((line, f"loop: {row['loop']!r} is not a whole number"))
                continue
            row_phase = row.get("phase") or phase
            answers = {
                qid: cell_answer(questions[qid], text)
                for qid, text in row.items()
                if qid in questions and text
            }
            sid = paper_submission_id(template.id, row_pilot, row_loop, row_phase, sheet)
            try:
                store.submit(
                    template,
                    answers,
                    pilot=row_pilot,
                    loop=row_loop,
                    phase=row_phase,
                    participant=row.get("participant") or None,
                    submission_id=sid,
                )
            except AnswerValidationError as error:
                problems += [(line, f"{p.question_id}: {p.message_en}") for p in error.problems]
                continue
            except StoreError as error:
                problems.append((line, str(error)))
                if error.__cause__ is not None:  # the database refused: stop here
                    break
                continue
        if problems:
            listed = "\n".join(f"  {where} {n}: {text}" for n, text in sorted(problems))
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            msg = f"Cannot import paper answers from {path}: {count}, nothing was stored.\n{listed}"
            raise DatasetError(msg)
    return int(store.info()["counts"]["responses"]) - before
