"""What an import of another tool's form into a template left out or changed: the loss report.

Used by :mod:`transferkit.exchange.xlsform` and :mod:`transferkit.exchange.lss_template`:
every type, column or expression that does not convert is named in a
:class:`LossReport` (printed and saved beside the template), never dropped
silently; what converts with a change (a rename, a copied language) is listed
and warned about (:class:`~transferkit.exchange.codebook.ExchangeWarning`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from transferkit.exchange.codebook import ExchangeWarning

__all__ = ["Loss", "LossReport", "TemplateImport"]


@dataclass
class Loss:
    """One thing that did not convert whole: where, what, and what became of it."""

    where: str
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} — {self.detail}"


@dataclass
class LossReport:
    """What an import left out (``lost``) or changed on the way (``changed``)."""

    source: str
    lost: list[Loss] = field(default_factory=list)
    changed: list[Loss] = field(default_factory=list)
    kind: str = "XLSForm"  # what was imported: "XLSForm", "LimeSurvey structure"

    def lose(self, where: str, what: str, detail: str) -> None:
        """Record something that did not convert."""
        self.lost.append(Loss(where, what, detail))

    def change(self, where: str, what: str, detail: str, *, warn: bool = True) -> None:
        """Record something converted with a change (a rename, a copied language).

        Also issued as an :class:`ExchangeWarning` unless ``warn`` is false
        (texts copied between languages are warned about once, in a summary).
        """
        self.changed.append(Loss(where, what, detail))
        if warn:
            warnings.warn(f"{where}: {what} — {detail}", ExchangeWarning, stacklevel=3)

    @property
    def copied(self) -> list[Loss]:
        """The texts that exist in one language only and were copied to the other."""
        return [x for x in self.changed if "copied" in x.detail or "used for de and en" in x.detail]

    def __bool__(self) -> bool:
        return bool(self.lost or self.changed)

    def text(self) -> str:
        """The report as plain text, one line per entry."""
        lines = [f"{self.kind} import of {self.source}"]
        lines.append(f"Not converted ({len(self.lost)}):")
        lines += [f"  - {x}" for x in self.lost] or ["  (nothing)"]
        lines.append(f"Converted with changes ({len(self.changed)}):")
        lines += [f"  - {x}" for x in self.changed] or ["  (nothing)"]
        return "\n".join(lines) + "\n"


@dataclass
class TemplateImport:
    """A template read from another tool's form: the template (dict and YAML) and the loss report."""

    template: dict[str, Any]
    yaml: str
    report: LossReport
    #: the source's name -> transferkit id, for every name that had to change
    renames: dict[str, str] = field(default_factory=dict)
