"""Responses out to the tools researchers use: SPSS, Stata, R, XLSX, Frictionless.

One description of the variables (:mod:`transferkit.exchange.codebook`),
built from a template, and one module per output format. Every writer takes
the pseudonymised export of the store (:meth:`Store.export_pseudonymized`),
writes atomically and returns the notes (also issued as
:class:`ExchangeWarning`) about what the format could not carry whole.
"""

from __future__ import annotations

from transferkit.exchange.codebook import (
    Codebook,
    ExchangeWarning,
    Variable,
    build_codebook,
    tidy_for_export,
)
from transferkit.exchange.datapackage import write_datapackage
from transferkit.exchange.r import write_r
from transferkit.exchange.spss import write_sav
from transferkit.exchange.stata import write_dta
from transferkit.exchange.xlsx import write_xlsx

__all__ = [
    "FORMATS",
    "Codebook",
    "ExchangeWarning",
    "Variable",
    "build_codebook",
    "tidy_for_export",
    "write_datapackage",
    "write_dta",
    "write_r",
    "write_sav",
    "write_xlsx",
]

#: Export formats besides the plain CSV of ``db export``.
FORMATS: tuple[str, ...] = ("sav", "dta", "r", "xlsx", "datapackage")
