"""KoboToolbox / ODK exports read for the response import: CSV (``;`` or ``,``) or XLSX, and the XLSForm.

What KoboToolbox's export settings vary, and how it is read:

- separator ``;`` or ``,``; group separator ``/`` or ``-`` in the headers
  (``group/question``): groups are stripped, the question name stays;
- select_multiple as one cell of space-separated choice names, or one 0/1
  column per choice (``question/choice``), or both (the cell wins);
- ``n/a`` for a question that was not shown;
- the HXL tag row (``#loc+name``) below the header, skipped;
- repeat groups: their answers are in separate tables (the other sheets of an
  XLSX export; nothing of them in a CSV export) and are not imported — each is
  named in the notes, and so are the repeat groups an XLSForm (``structure``)
  declares.

Headers must be the XML names (the export's "XML values and headers"), not
labels. Submission ids are ``kobo-<_uuid>`` (or the ``meta/instanceID``); an
export without either gets an id from the row's contents.
"""

from __future__ import annotations

import re
from pathlib import Path

from transferkit.exceptions import DatasetError
from transferkit.exchange.survey_import import SourceRecord, SurveyData, read_delimited

__all__ = ["read_kobo", "repeat_groups"]

_METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "simserial",
        "subscriberid",
        "phonenumber",
        "audit",
        "email",
        "starttime",
        "endtime",
        "instanceid",
        "key",
    }
)
_METADATA_GROUPS = ("meta", "formhub")
_REPEAT_INDEX = re.compile(r"\[\d+\]")


def _candidates(column: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [(column, None)]
    for separator in ("/", "-"):
        parts = column.split(separator)
        for start in range(1, len(parts)):
            found.append((separator.join(parts[start:]), None))
        for start in range(len(parts) - 1):
            found.append((separator.join(parts[start:-1]), parts[-1]))
    return found


def _is_metadata(column: str) -> bool:
    name = column.split("/")[-1]
    return (
        column.startswith("_")
        or name.startswith("_")
        or name.lower() in _METADATA
        or column.split("/")[0] in _METADATA_GROUPS
    )


def _is_hxl(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


def _sheets(path: Path) -> list[tuple[str, list[str], list[tuple[int, list[str]]]]]:
    """Every sheet of an XLSX workbook: name, header and rows (with row numbers) as text."""
    import zipfile

    from openpyxl import load_workbook

    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        msg = f"{path} is not an Excel workbook (.xlsx) that can be read: {error}"
        raise DatasetError(msg) from None
    sheets = []
    try:
        for sheet in book.worksheets:
            header: list[str] | None = None
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [
                    ""
                    if v is None
                    else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                    for v in values
                ]
                if header is None:
                    if any(c.strip() for c in cells):
                        header = [c.strip() for c in cells]
                elif any(c.strip() for c in cells):
                    rows.append((number, cells))
            sheets.append((sheet.title, header or [], rows))
    finally:
        book.close()
    return sheets


def repeat_groups(form: str | Path) -> list[str]:
    """The names of the repeat groups an XLSForm (``.xlsx``) declares in its ``survey`` sheet."""
    for title, header, rows in _sheets(Path(form)):
        if title.strip().lower() != "survey":
            continue
        names = [h.lower() for h in header]
        if "type" not in names or "name" not in names:
            break
        kind, name = names.index("type"), names.index("name")
        return [
            cells[name].strip()
            for _, cells in rows
            if kind < len(cells)
            and name < len(cells)
            and cells[kind].strip().lower().replace("_", " ") == "begin repeat"
        ]
    msg = f"{form} is not an XLSForm: it has no sheet 'survey' with the columns 'type' and 'name'"
    raise DatasetError(msg)


def read_kobo(path: str | Path, structure: str | Path | None = None) -> SurveyData:
    """Responses of a KoboToolbox/ODK export (CSV or XLSX) for the import; ``structure``: its XLSForm."""
    path = Path(path)
    notes: list[str] = []
    where = "line"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _sheets(path)
        if not sheets:
            msg = f"{path} has no sheet"
            raise DatasetError(msg)
        _, columns, rows = sheets[0]
        where = "row"
        for title, _, repeat_rows in sheets[1:]:
            notes.append(
                f"repeat table {title!r} ({len(repeat_rows)} rows) was not imported: a repeat group "
                "holds several answers per submission, a template question one"
            )
    else:
        columns, rows, _ = read_delimited(path)
    if rows and _is_hxl(rows[0][1]):
        rows = rows[1:]
        notes.append("the HXL tag row below the header was skipped")
    indexed = sorted({_REPEAT_INDEX.sub("[n]", c) for c in columns if _REPEAT_INDEX.search(c)})
    if indexed:
        notes.append(
            "repeat group columns were not imported (several answers per submission): "
            + ", ".join(indexed)
        )
    if structure is not None:
        for name in repeat_groups(structure):
            notes.append(
                f"the form's repeat group {name!r} was not imported: its answers are in a "
                "separate table (XLSX export), and a template question holds one answer"
            )
    records = []
    for number, (line, cells) in enumerate(rows, start=1):
        values = {
            name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns) if name
        }
        uuid = values.get("_uuid", "").strip() or values.get(
            "meta/instanceID", ""
        ).strip().removeprefix("uuid:")
        records.append(
            SourceRecord(
                number=number,
                where=f"{where} {line}",
                response_id=uuid or None,
                values=values,
                submitted_at=values.get("_submission_time", "").strip() or None,
            )
        )
    if records and not any(r.response_id for r in records):
        notes.append(
            "the export has no _uuid or meta/instanceID column: each response's id was made from "
            "its cells (a changed cell makes it a new response on the next import)"
        )
    return SurveyData(
        source="kobo",
        description=f"KoboToolbox export ({path.name})",
        columns=columns,
        records=records,
        candidates=_candidates,
        is_metadata=_is_metadata,
        separator=None,
        notes=notes,
        id_prefix="kobo",
    )
