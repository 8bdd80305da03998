"""Delimited text tables (CSV, TSV) as people and survey tools write them: the one reader.

Used by every importer of the package (evaluation data, set-up files, paper answers,
survey exports): the delimiter is guessed from the header line, rows keep the line
they start on, and a file that is not UTF-8 gets a message saying how to fix it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from transferkit.exceptions import DatasetError

__all__ = ["read_delimited"]

_UTF8_HINT = "Export it again as UTF-8 (LimeSurvey and KoboToolbox do so by default)."


def read_delimited(
    path: Path, *, delimiter: str | None = None, utf8_hint: str = _UTF8_HINT
) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header, the data rows with their line numbers, and the delimiter (``;``, ``,`` or tab) of a text table.

    The delimiter is the one of ``;``, ``,`` and tab that the header line holds
    most often (outside quotes), unless given. Cells may span lines (quoted); a row's
    number is the line it starts on. ``utf8_hint`` says how to save the file as UTF-8.
    """
    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        msg = f"{path} is not a UTF-8 text file (line {line}). {utf8_hint}"
        raise DatasetError(msg) from None
    if delimiter is None:
        first = text.split("\n", 1)[0]
        outside = "".join(part for i, part in enumerate(first.split('"')) if i % 2 == 0)
        delimiter = max(("\t", ";", ","), key=outside.count)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = cells
            elif any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = f"{path}, line {reader.line_num}: not a readable row ({exc})"
        raise DatasetError(msg) from None
    if not header or not any(cell.strip() for cell in header):
        msg = f"{path} is empty: the first line must name the columns"
        raise DatasetError(msg)
    return [cell.strip() for cell in header], rows, delimiter
