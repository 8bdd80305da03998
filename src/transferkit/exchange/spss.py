"""SPSS ``.sav``: variable and value labels, measure levels and formats (pyreadstat).

SPSS holds variable labels up to 256 bytes and value labels up to 120
bytes; a longer label is cut at a character boundary with a warning and
kept whole in the codebook written beside the file (``NAME.sav.codebook.csv``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.exchange.codebook import (
    Codebook,
    codebook_path,
    note,
    replace_atomically,
    tidy_for_export,
    write_text_atomically,
)

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = ["VALUE_LABEL_BYTES", "VARIABLE_LABEL_BYTES", "cut_bytes", "write_sav"]

#: Longest variable label SPSS keeps, in UTF-8 bytes.
VARIABLE_LABEL_BYTES = 256
#: Longest value label SPSS keeps, in UTF-8 bytes.
VALUE_LABEL_BYTES = 120


def cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _format(kind: str, width: int) -> str:
    if kind == "integer":
        return f"F{max(width, 1)}.0"
    if kind == "number":
        return "F8.2"
    return f"A{max(width, 1)}"


def write_sav(
    data: pd.DataFrame, template: Template, path: Path, lang: str = "de"
) -> tuple[Codebook, list[str]]:
    """Write the pseudonymised responses of ``template`` as an SPSS file.

    Returns the codebook and the notes (labels cut, answers left out).
    """
    import pandas as pd
    import pyreadstat

    table, codebook = tidy_for_export(data, template, lang)
    if "submitted_at" in table.columns:  # an SPSS date-time (UTC), as SPSS itself stores times
        stamps = pd.to_datetime(table["submitted_at"], utc=True)
        table["submitted_at"] = stamps.dt.tz_localize(None)
    notes = list(codebook.notes)
    for n in notes:
        note([], n)
    variable_labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    for v in codebook.variables:
        label = v.label
        if len(label.encode("utf-8")) > VARIABLE_LABEL_BYTES:
            label = cut_bytes(label, VARIABLE_LABEL_BYTES)
            note(
                notes,
                f"{v.name}: variable label longer than SPSS's {VARIABLE_LABEL_BYTES} bytes; "
                "cut in the .sav, whole in the codebook",
            )
        variable_labels[v.name] = label
        if v.value_labels:
            labels: dict[int | float, str] = {}
            for code, text in v.value_labels.items():
                if len(text.encode("utf-8")) > VALUE_LABEL_BYTES:
                    note(
                        notes,
                        f"{v.name}={code}: value label longer than SPSS's "
                        f"{VALUE_LABEL_BYTES} bytes; cut in the .sav, whole in the codebook",
                    )
                    text = cut_bytes(text, VALUE_LABEL_BYTES)
                labels[code] = text
            value_labels[v.name] = labels
    formats = {}
    for v in codebook.variables:
        lengths = table[v.name].dropna().astype("string").str.len()
        width = int(lengths.max()) if len(lengths) else 1
        formats[v.name] = "DATETIME20" if v.name == "submitted_at" else _format(v.kind, width)
    measures: dict[str, str] = {v.name: v.measure for v in codebook.variables}
    if "submitted_at" in measures:
        measures["submitted_at"] = "scale"  # a point in time, as SPSS measures its dates
    title = template.title.get(lang) if hasattr(template, "title") else template.id

    def write(tmp: Path) -> None:
        pyreadstat.write_sav(
            table,
            str(tmp),
            file_label=cut_bytes(title, 64),
            column_labels=variable_labels,
            variable_value_labels=value_labels,
            variable_measure=measures,
            variable_format=formats,
        )

    replace_atomically(path, write)
    write_text_atomically(codebook_path(path), codebook.to_frame().to_csv(index=False))
    return codebook, notes
