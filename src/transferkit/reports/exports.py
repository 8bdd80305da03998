"""A report's files beyond the HTML: PDF, Word, and the tables behind its figures.

``run_report(..., formats=("html", "pdf", "docx"))`` and ``transferkit report … --format
html,pdf,docx`` make, beside ``reports/pilot_P01.html``::

    reports/pilot_P01.pdf            A4, page numbers (Chromium: transferkit.reports.pdf)
    reports/pilot_P01.docx           Word (python-docx: transferkit.reports.word)
    reports/pilot_P01_tables.xlsx    the tables behind the figures, always
    reports/pilot_P01_tables/*.csv   (transferkit.reports.tables), linked under each figure

The HTML is always made (the PDF and the Word file are made from it). Everything here
works on a finished :class:`~transferkit.reports.runner.ReportResult` (its HTML and
executed notebook), whatever ran the notebook; :func:`check_formats` runs before any
report, so a missing Chromium stops ``--format pdf`` at once with how to install it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from transferkit.exceptions import ParameterError, TransferkitError
from transferkit.i18n import LANGUAGES

if TYPE_CHECKING:
    from transferkit.reports.runner import ReportResult

__all__ = ["FORMATS", "check_formats", "export_formats", "parse_formats"]

#: The formats of a report, in the order they are made.
FORMATS: tuple[str, ...] = ("html", "pdf", "docx")


def parse_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """The formats asked for (``"html,pdf"`` or a list), in :data:`FORMATS` order, ``html``
    always among them; an unknown one is a :class:`~transferkit.exceptions.ParameterError`.

    >>> parse_formats("docx, PDF")
    ('html', 'pdf', 'docx')
    >>> parse_formats("odt")
    Traceback (most recent call last):
    ...
    transferkit.exceptions.ParameterError: unknown report format 'odt': use html, pdf, docx (e.g. --format html,pdf,docx)
    """
    if formats is None:
        return ("html",)
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {str(n).strip().lower() for n in names if str(n).strip()}
    for name in sorted(wanted - set(FORMATS)):
        msg = (
            f"unknown report format {name!r}: use {', '.join(FORMATS)} "
            "(e.g. --format html,pdf,docx)"
        )
        raise ParameterError(msg)
    return tuple(f for f in FORMATS if f in wanted | {"html"})


def check_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """:func:`parse_formats`, and for ``pdf`` a Chromium to print with
    (:func:`~transferkit.reports.pdf.require_chromium`): call it before any report runs."""
    wanted = parse_formats(formats)
    if "pdf" in wanted:
        from transferkit.reports.pdf import require_chromium

        require_chromium()
    return wanted


def _lang(result: ReportResult) -> str:
    lang = str(result.job.params.get("lang") or "de")
    return lang if lang in LANGUAGES else "de"


def _fail(result: ReportResult, what: str, error: Exception) -> None:
    result.ok = False
    result.error = (
        f"{what}: {type(error).__name__}: {error}"
        if not isinstance(error, TransferkitError)
        else f"{what}: {error}"
    )


def export_formats(results: Sequence[ReportResult], formats: Iterable[str]) -> None:
    """Make each successful result's tables, Word file and PDF (one Chromium for all);
    record them in ``result.exports`` (``xlsx``, ``csv`` folder, ``docx``, ``pdf``).

    The HTML is rewritten with the links to the tables under each figure. A report
    whose export fails becomes a failed result naming the format and the error.
    """
    from transferkit.reports.pdf import PdfJob, html_to_pdf
    from transferkit.reports.tables import figure_data_of, link_tables, write_tables
    from transferkit.reports.word import html_to_docx

    wanted = parse_formats(list(formats))
    printing: list[tuple[ReportResult, PdfJob]] = []
    for result in results:
        if not result.ok or result.html is None:
            continue
        lang, html = _lang(result), result.html
        try:
            if result.notebook is not None and result.notebook.is_file():
                written = write_tables(
                    figure_data_of(result.notebook), html.parent, result.name, lang
                )
            else:
                written = None
            if written is not None:
                page = html.read_text(encoding="utf-8")
                linked = link_tables(page, written, html.parent, lang)
                if linked != page:
                    tmp = html.with_name(f".{html.name}.tmp")
                    tmp.write_text(linked, encoding="utf-8")
                    tmp.replace(html)
                result.exports["xlsx"], result.exports["csv"] = written.xlsx, written.folder
        except Exception as error:  # noqa: BLE001 - one report's tables must not stop the rest
            _fail(result, "tables", error)
            continue
        if "docx" in wanted:
            try:
                result.exports["docx"] = html_to_docx(
                    html, html.with_suffix(".docx"), result.title, lang
                )
            except Exception as error:  # noqa: BLE001
                _fail(result, "docx", error)
                continue
        if "pdf" in wanted:
            printing.append((result, PdfJob(html, html.with_suffix(".pdf"), result.title, lang)))
    if printing:
        try:
            html_to_pdf([job for _, job in printing])
        except Exception as error:  # noqa: BLE001 - Chromium failed: every PDF of the batch
            for result, _ in printing:
                _fail(result, "pdf", error)
        else:
            for result, job in printing:
                result.exports["pdf"] = job.pdf
