"""R: a UTF-8 CSV, its codebook and an R script that builds the labelled factors.

``write_r(data, template, folder)`` writes ``responses.csv``,
``codebook.csv`` and ``responses.R``; ``source("responses.R",
encoding = "UTF-8")`` in that folder gives the data frame ``responses`` with
single choices as factors, Likert items as ordered factors and every
variable's label in ``attr(x, "label")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.exchange.codebook import Codebook, note, tidy_for_export, write_text_atomically

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = ["r_script", "r_string", "write_r"]


def r_string(text: str) -> str:
    """``text`` as an R string literal in double quotes (UTF-8 kept as it is)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _name(name: str) -> str:
    return f"responses[[{r_string(name)}]]"


def r_script(codebook: Codebook, csv_name: str = "responses.csv") -> str:
    """The R script that reads ``csv_name`` and labels its columns."""
    lines = [
        "# Written by transferkit: reads the pseudonymised responses and labels them.",
        '# Run in this folder: source("responses.R", encoding = "UTF-8")',
        (
            f'responses <- read.csv({r_string(csv_name)}, fileEncoding = "UTF-8", '
            'stringsAsFactors = FALSE, check.names = FALSE, na.strings = "")'
        ),
    ]
    for v in codebook.variables:
        target = _name(v.name)
        if v.value_labels and v.question_type in ("single_choice", "likert"):
            levels = ", ".join(f"{k}L" for k in v.value_labels)
            labels = ", ".join(r_string(t) for t in v.value_labels.values())
            ordered = ", ordered = TRUE" if v.measure == "ordinal" else ""
            lines.append(
                f"{target} <- factor({target}, levels = c({levels}), labels = c({labels}){ordered})"
            )
        lines.append(f'attr({target}, "label") <- {r_string(v.label)}')
    return "\n".join(lines) + "\n"


def write_r(
    data: pd.DataFrame, template: Template, folder: Path, lang: str = "de"
) -> tuple[Codebook, list[str]]:
    """Write ``responses.csv``, ``codebook.csv`` and ``responses.R`` into ``folder``."""
    table, codebook = tidy_for_export(data, template, lang)
    notes: list[str] = []
    for n in codebook.notes:
        note(notes, n)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / "responses.csv", table.to_csv(index=False))
    write_text_atomically(folder / "codebook.csv", codebook.to_frame().to_csv(index=False))
    write_text_atomically(folder / "responses.R", r_script(codebook))
    return codebook, notes
