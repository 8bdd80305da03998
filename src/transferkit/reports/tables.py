"""The tables behind a report's figures as CSV and XLSX files beside the report, linked from it.

For ``reports/pilot_P01.html`` (figures numbered in the order they appear)::

    reports/pilot_P01_tables/figure_01.csv           one CSV per table of a figure
    reports/pilot_P01_tables/figure_02_persons.csv   (a figure with two tables: one CSV each)
    reports/pilot_P01_tables.xlsx                    a contents sheet, then one sheet per table

CSV files are UTF-8, comma-separated, with a decimal point and full precision (for R,
Python, SPSS); the XLSX holds the same values as numbers (for Excel, in any locale).
Columns keep their codes (``scale``, ``topic``) with the readable names the figure shows
beside them (``scale_name``, ``topic_name``). The tables come from the executed notebook
(:data:`~transferkit.reports.figuredata.FIGURE_DATA_MIMETYPE` outputs, made by
:func:`transferkit.reports.content.figure_tables.show_figure_data`); :func:`link_tables`
puts the links under each figure of the HTML report.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from transferkit import pages
from transferkit.i18n import has_text, text
from transferkit.reports.figuredata import FIGURE_DATA_MIMETYPE, FigureData, decode_table

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["WrittenTables", "figure_data_of", "link_tables", "write_tables"]

_FOLDER = "templates/exports"


@dataclass
class WrittenTables:
    """The files :func:`write_tables` wrote: the CSV folder, the workbook, and per figure
    (its marker key) the CSV files and the sheet names."""

    folder: Path
    xlsx: Path
    csv: dict[int, list[Path]] = field(default_factory=dict)
    sheets: dict[int, list[str]] = field(default_factory=dict)


def figure_data_of(notebook: NotebookNode | str | os.PathLike[str]) -> list[FigureData]:
    """The tables behind the figures of an executed notebook (a node or an ``.ipynb`` path),
    in the order of the figures."""
    if hasattr(notebook, "cells"):
        cells = notebook.cells
    else:  # read as JSON: nbformat's schema validation takes ~1 s for a report
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    found: list[FigureData] = []
    for cell in cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FIGURE_DATA_MIMETYPE in data:
                found.append(_plain_figure(data[FIGURE_DATA_MIMETYPE]))
    return found


def _plain_figure(value: Mapping[str, Any]) -> FigureData:
    tables = [
        {
            "name": str(t["name"]),
            "columns": list(t["columns"]),
            "rows": [list(r) for r in t["rows"]],
        }
        for t in value.get("tables", [])
    ]
    return {"key": int(value["key"]), "caption": str(value["caption"]), "tables": tables}  # type: ignore[typeddict-item]


def _table_label(name: str, lang: str) -> str:
    return text(f"exports.table_{name}", lang) if has_text(f"exports.table_{name}") else name


def _sheet_name(number: int, name: str, lang: str) -> str:
    """``Abb. 2`` or ``Abb. 2 Personen`` (at most 31 characters, none of ``[]:*?/\\``)."""
    title = text("exports.sheet", lang, n=number)
    if name:
        title = f"{title} {_table_label(name, lang)}"
    return re.sub(r"[\[\]:*?/\\]", "_", title)[:31]


def _replace(path: Path, write: Any) -> None:
    """Write through ``write(tmp)`` and move into place: no half-written file."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)


def write_tables(
    figures: Iterable[FigureData], out_dir: str | os.PathLike[str], name: str, lang: str = "de"
) -> WrittenTables | None:
    """Write the figures' tables as ``<name>_tables/figure_NN[_table].csv`` and
    ``<name>_tables.xlsx`` into ``out_dir``; ``None`` (and no files) for a report without
    tables. Files of an earlier run (``figure_*.csv``, the workbook) are removed first."""
    import pandas as pd

    text("exports.sheet", lang, n=1)  # refuses another language before writing anything
    out = Path(out_dir)
    written = WrittenTables(folder=out / f"{name}_tables", xlsx=out / f"{name}_tables.xlsx")
    for stale in written.folder.glob("figure_*.csv"):
        stale.unlink()
    written.xlsx.unlink(missing_ok=True)
    figures = [f for f in figures if f["tables"]]
    if not figures:
        if written.folder.is_dir() and not any(written.folder.iterdir()):
            written.folder.rmdir()
        return None
    written.folder.mkdir(parents=True, exist_ok=True)
    contents: list[dict[str, object]] = []
    sheets: list[tuple[str, pd.DataFrame]] = []
    for number, figure in enumerate(figures, start=1):
        key = figure["key"]
        written.csv[key], written.sheets[key] = [], []
        for table in figure["tables"]:
            frame = decode_table(table)
            stem = f"figure_{number:02d}" + (f"_{table['name']}" if table["name"] else "")
            csv = written.folder / f"{stem}.csv"
            _replace(csv, lambda tmp, f=frame: f.to_csv(tmp, index=False, encoding="utf-8"))
            sheet = _sheet_name(number, table["name"], lang)
            written.csv[key].append(csv)
            written.sheets[key].append(sheet)
            sheets.append((sheet, frame))
            contents.append(
                {
                    text("exports.col_figure", lang): number,
                    text("exports.col_caption", lang): figure["caption"],
                    text("exports.col_sheet", lang): sheet,
                    text("exports.col_csv", lang): f"{written.folder.name}/{csv.name}",
                }
            )
    index = pd.DataFrame(contents, columns=[text(f"exports.col_{c}", lang) for c in _CONTENTS])

    def workbook(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            index.to_excel(writer, sheet_name=text("exports.contents", lang), index=False)
            for sheet, frame in sheets:
                frame.to_excel(writer, sheet_name=sheet, index=False)
            for ws in writer.sheets.values():
                for column in ws.columns:
                    width = max(
                        (len(str(c.value)) for c in column if c.value is not None), default=8
                    )
                    ws.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60) + 2
                ws.freeze_panes = "A2"

    _replace(written.xlsx, workbook)
    return written


_CONTENTS = ("figure", "caption", "sheet", "csv")


def _href(path: Path, base: Path) -> str:
    """A relative, percent-encoded link (no file name can be read as a scheme or query)."""
    return quote(Path(os.path.relpath(path, base)).as_posix(), safe="/")


def _marker_parts() -> tuple[str, str]:
    """The text of ``marker.html.j2`` before and after its figure number."""
    sample = pages.render("transferkit.reports", "marker.html.j2", folder=_FOLDER, key=987654321)
    before, after = sample.strip().split("987654321")
    return before, after


def link_tables(page: str, written: WrittenTables, base: Path, lang: str = "de") -> str:
    """``page`` (a report's HTML) with the links to each figure's CSV files and sheet put
    into its marker under the figure (markers without tables stay empty)."""
    before, after = _marker_parts()
    parts: list[str] = []
    done = 0
    while (start := page.find(before, done)) != -1:
        digits = re.match(r"\d+", page[start + len(before) :])
        end = start + len(before) + (len(digits.group(0)) if digits else 0)
        if digits is None or not page.startswith(after, end):
            parts.append(page[done : start + len(before)])
            done = start + len(before)
            continue
        key = int(digits.group(0))
        parts += [page[done:start], _links(key, written, base, lang)]
        done = end + len(after)
    return "".join(parts) + page[done:]


def _links(key: int, written: WrittenTables, base: Path, lang: str) -> str:
    """The links of figure ``key`` (its empty marker when it has no tables)."""
    files = written.csv.get(key)
    if not files:
        return pages.render(
            "transferkit.reports", "marker.html.j2", folder=_FOLDER, key=key
        ).strip()
    return pages.render(
        "transferkit.reports",
        "links.html.j2",
        folder=_FOLDER,
        helpers=_HELPERS,
        lang=lang,
        key=key,
        csv=[{"href": _href(f, base), "name": f.name} for f in files],
        xlsx=_href(written.xlsx, base),
        sheets=", ".join(written.sheets[key]),
    ).strip()


#: The helpers of the export templates: their words from the catalogue.
_HELPERS: dict[str, Any] = {"text": text}
