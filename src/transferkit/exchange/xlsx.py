"""XLSX: sheets ``data`` (codes), ``labels`` (value labels) and ``codebook`` (openpyxl)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exchange.codebook import Codebook, note, replace_atomically, tidy_for_export

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = ["write_xlsx"]


def _cell(value: Any) -> Any:
    import pandas as pd

    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def write_xlsx(
    data: pd.DataFrame, template: Template, path: Path, lang: str = "de"
) -> tuple[Codebook, list[str]]:
    """Write the pseudonymised responses of ``template`` as one workbook."""
    from openpyxl import Workbook

    table, codebook = tidy_for_export(data, template, lang)
    notes: list[str] = []
    for n in codebook.notes:
        note(notes, n)
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([_cell(x) for x in row])
    sheet.freeze_panes = "A2"
    for title, frame in (
        ("labels", codebook.value_label_frame()),
        ("codebook", codebook.to_frame()),
    ):
        ws = book.create_sheet(title)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_cell(x) for x in row])
        ws.freeze_panes = "A2"
    replace_atomically(path, lambda tmp: book.save(tmp))
    return codebook, notes
