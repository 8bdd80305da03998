"""Tables in files researchers fill in (CSV, and the sheets of an XLSX workbook): read, check, parse.

Shared by every importer (:func:`transferkit.datasets.importer.import_table` for
evaluation data, :func:`transferkit.datasets.setup.import_setup` for networks,
companies, pilots and participants): a file's rows keep their line numbers, a
misspelled column is named with the right name, and every problem is collected
before anything is stored.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transferkit.exceptions import DatasetError

_EXCEL_UTF8 = (
    "Save it as CSV in UTF-8 (Excel: 'CSV UTF-8 (durch Trennzeichen getrennt)' / "
    "'CSV UTF-8 (comma delimited)')."
)

__all__ = [
    "Field",
    "TableSpec",
    "columns_text",
    "header_problems_of",
    "parse_cell",
    "problems_message",
    "read_csv",
    "read_workbook",
]

_NUMBER = (
    "write a plain number with a decimal point, e.g. 1250 or 1250.50 (no thousands "
    "separator, no currency sign; in a file separated by ';' a decimal comma works too)"
)


@dataclass(frozen=True)
class Field:
    """One column of an import file: name, parser (text, number, int, date), required, example."""

    name: str
    kind: str
    example: str
    required: bool = True


@dataclass(frozen=True)
class TableSpec:
    """What a kind of import file holds and which store method takes its rows."""

    fields: tuple[Field, ...]
    key: tuple[str, ...]
    method: str  # the Store method that takes one row's values, in field order
    duplicate: str  # how to fix a key that appears twice
    table: str = ""  # kind of rows for Store.remove_evaluation_rows (evaluation data)
    owner: str = "pilot_id"  # the column whose rows --replace deletes first


def columns_text(spec: TableSpec) -> str:
    """The columns of a file of ``spec``, optional ones marked."""
    return ", ".join(f.name + ("" if f.required else " (optional)") for f in spec.fields)


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header, the data rows with their line numbers, and the delimiter of a CSV file (``,`` or ``;``).

    :func:`transferkit.exchange.delimited.read_delimited`, with the hint for Excel users.
    """
    from transferkit.exchange.delimited import read_delimited

    return read_delimited(path, utf8_hint=_EXCEL_UTF8)


def header_problems_of(
    spec: TableSpec, header: list[str], rows: list[tuple[int, list[str]]]
) -> tuple[list[str], dict[str, int]]:
    """Problems with the column names, and the position of each known column.

    A misspelled column (close to a missing one) is named as such and its cells are
    still checked under the right name, so that one run finds every problem. Columns
    without a name and without values (trailing separators, as Excel writes them)
    are ignored.
    """
    names = [cell.strip().lower() for cell in header]
    wanted = [f.name for f in spec.fields]
    positions: dict[str, int] = {}
    problems: list[str] = []
    unknown: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in rows):
                problems.append(
                    f"column {index + 1} has values but no name in line 1; name it or remove it"
                )
        elif name in wanted and name not in positions:
            positions[name] = index
        elif name in positions or name in unknown:
            problems.append(f"column {name!r} appears twice; keep one of them")
        else:
            unknown[name] = index
    for field in spec.fields:
        if field.name in positions:
            continue
        close = difflib.get_close_matches(field.name, list(unknown), n=1, cutoff=0.6)
        if close:
            positions[field.name] = unknown.pop(close[0])
            problems.append(
                f"column {field.name!r} is missing; the file has "
                f"{close[0]!r} instead: rename it to {field.name!r}"
            )
        elif field.required:
            problems.append(f"column {field.name!r} is missing; add it (e.g. {field.example!r})")
    for name in unknown:
        problems.append(
            f"unknown column {name!r}; remove it, or rename it to one of the columns below"
        )
    return problems, positions


def parse_date(field: Field, text: str) -> tuple[Any, str | None]:
    """An ISO date (2026-03-31) or a German one (31.03.2026), or a problem text."""
    import datetime as dt
    import re

    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return dt.date(year, month, day), None
        return dt.date.fromisoformat(text[:10]), None
    except ValueError:
        return None, (f"{field.name}: {text!r} is not a date; write it as 2026-03-31 or 31.03.2026")


def parse_cell(field: Field, text: str, delimiter: str) -> tuple[Any, str | None]:
    """The value of one cell, or a problem text."""
    text = text.strip()
    if not text:
        if field.required:
            return None, f"{field.name} is empty; enter a value (e.g. {field.example!r})"
        return None, None
    if field.kind == "text":
        return text, None
    if field.kind == "date":
        return parse_date(field, text)
    number_text = text.replace(",", ".") if delimiter == ";" and "." not in text else text
    try:
        number = float(number_text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in number_text:
        return None, f"{field.name}: {text!r} is not a number; {_NUMBER}"
    if field.kind == "int":
        if not number.is_integer():
            return None, (
                f"{field.name}: {text!r} is not a whole number; write e.g. {field.example!r}"
            )
        return int(number), None
    return number, None


def problems_message(
    kind: str, path: Path, problems: list[tuple[int, str]], spec: TableSpec
) -> str:
    """One message for every problem of a file, by line: nothing was stored."""
    problems = sorted(problems, key=lambda problem: problem[0])
    listed = "\n".join(f"  line {line}: {text}" for line, text in problems)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        f"Cannot import {kind} from {path}: {count}, nothing was stored.\n{listed}\n"
        f"The columns of a {kind} file: {columns_text(spec)}."
    )


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold: whole numbers without ``.0``, dates as ISO."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_workbook(path: Path) -> dict[str, tuple[list[str], list[tuple[int, list[str]]]]]:
    """Every sheet of an XLSX workbook: name (lower case) → header and rows with their row numbers.

    Cells are read as the text a CSV would hold, so one parser serves both.
    """
    import zipfile

    from openpyxl import load_workbook

    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        msg = f"{path} is not an Excel workbook (.xlsx) that can be read: {error}. Save it as .xlsx or as CSV."
        raise DatasetError(msg) from None
    sheets: dict[str, tuple[list[str], list[tuple[int, list[str]]]]] = {}
    try:
        for sheet in book.worksheets:
            header: list[str] | None = None
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if header is None:
                    if any(c.strip() for c in cells):
                        header = cells
                elif any(c.strip() for c in cells):
                    rows.append((number, cells))
            sheets[sheet.title.strip().lower()] = (header or [], rows)
    finally:
        book.close()
    return sheets
