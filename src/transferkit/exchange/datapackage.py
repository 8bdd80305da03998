"""Frictionless data package: ``datapackage.json`` + ``responses.csv``.

Coded fields carry their allowed codes as an ``enum`` constraint (so
validation catches an out-of-range value) and their value labels as
``categories`` (Data Package v2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exchange.codebook import Codebook, note, tidy_for_export, write_text_atomically

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = ["datapackage_descriptor", "write_datapackage"]


def _field(v: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": v.name, "title": v.label, "type": v.kind}
    if v.question:
        out["description"] = f"{v.question} ({v.question_type})"
    constraints: dict[str, Any] = {}
    if v.closed:
        constraints["enum"] = list(v.value_labels)
        out["categories"] = [{"value": k, "label": t} for k, t in v.value_labels.items()]
    elif v.value_labels:  # a scale's labelled ends
        out["x_value_labels"] = {str(k): t for k, t in v.value_labels.items()}
    for key, bound in (("minimum", v.minimum), ("maximum", v.maximum)):
        if bound is not None:
            constraints[key] = (
                int(bound) if v.kind == "integer" and float(bound).is_integer() else bound
            )
    if constraints:
        out["constraints"] = constraints
    return out


def datapackage_descriptor(codebook: Codebook, template: Template) -> dict[str, Any]:
    """The ``datapackage.json`` contents for the responses of ``template``."""
    name = re.sub(r"[^a-z0-9._-]", "-", template.id.lower())
    return {
        "name": name,
        "title": template.title.get(codebook.lang),
        "resources": [
            {
                "name": "responses",
                "path": "responses.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [_field(v) for v in codebook.variables],
                    "missingValues": [""],
                },
            }
        ],
    }


def write_datapackage(
    data: pd.DataFrame, template: Template, folder: Path, lang: str = "de"
) -> tuple[Codebook, list[str]]:
    """Write ``datapackage.json`` and ``responses.csv`` into ``folder``."""
    table, codebook = tidy_for_export(data, template, lang)
    notes: list[str] = []
    for n in codebook.notes:
        note(notes, n)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / "responses.csv", table.to_csv(index=False))
    descriptor = datapackage_descriptor(codebook, template)
    write_text_atomically(
        folder / "datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    )
    return codebook, notes
