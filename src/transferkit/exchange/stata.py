"""Stata ``.dta``: variable and value labels (pyreadstat).

Stata keeps labels of at most 80 characters and pyreadstat refuses longer
ones; they are shortened with a warning (never an error) and kept whole in
the codebook beside the file. Variable names over 32 characters are
shortened too.
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

__all__ = ["LABEL_CHARS", "NAME_CHARS", "write_dta"]

#: Longest label Stata keeps.
LABEL_CHARS = 80
#: Longest variable name Stata allows.
NAME_CHARS = 32


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def write_dta(
    data: pd.DataFrame, template: Template, path: Path, lang: str = "de"
) -> tuple[Codebook, list[str]]:
    """Write the pseudonymised responses of ``template`` as a Stata file.

    Returns the codebook (names as in the file, labels whole) and the notes.
    """
    import pyreadstat

    table, codebook = tidy_for_export(data, template, lang)
    notes = list(codebook.notes)
    for n in notes:
        note([], n)
    used: set[str] = set()
    for v in codebook.variables:
        if len(v.name) > NAME_CHARS:
            new, i = v.name[:NAME_CHARS], 2
            while new.lower() in used:
                new = v.name[: NAME_CHARS - len(str(i)) - 1] + f"_{i}"
                i += 1
            note(
                notes, f"{v.name}: name longer than Stata's {NAME_CHARS} characters; renamed {new}"
            )
            table = table.rename(columns={v.name: new})
            v.name = new
        used.add(v.name.lower())
    variable_labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    for v in codebook.variables:
        if len(v.label) > LABEL_CHARS:
            note(
                notes,
                f"{v.name}: variable label longer than Stata's {LABEL_CHARS} characters; "
                "shortened in the .dta, whole in the codebook",
            )
        variable_labels[v.name] = _shorten(v.label)
        if v.value_labels:
            for code, text in v.value_labels.items():
                if len(text) > LABEL_CHARS:
                    note(
                        notes,
                        f"{v.name}={code}: value label longer than Stata's {LABEL_CHARS} "
                        "characters; shortened in the .dta, whole in the codebook",
                    )
            value_labels[v.name] = {float(k): _shorten(t) for k, t in v.value_labels.items()}
    title = _shorten(template.title.get(lang))

    def write(tmp: Path) -> None:
        pyreadstat.write_dta(
            table,
            str(tmp),
            file_label=title,
            column_labels=variable_labels,
            variable_value_labels=value_labels,
            version=15,
        )

    replace_atomically(path, write)
    write_text_atomically(codebook_path(path), codebook.to_frame().to_csv(index=False))
    return codebook, notes
