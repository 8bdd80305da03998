"""The ``index.html`` that links every report of a batch, grouped by kind."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from transferkit import pages
from transferkit.i18n import text
from transferkit.reports.params import REPORT_KINDS
from transferkit.reports.runner import REPORT_POLICY, ReportResult

__all__ = ["write_index"]

#: The kinds of report, each under its own heading (``report.index_<kind>``), in this
#: order; any other kind (a notebook path) is listed under ``report.index_other``.
_GROUPS = (*REPORT_KINDS, "other")

#: The helpers of ``templates/batch_index/page.html.j2``: its words from the catalogue.
_HELPERS: dict[str, Any] = {"text": text}


def _href(path: Path, out: Path) -> str:
    """A relative link to ``path``, percent-encoded: no file name (``javascript:…``, ``?``,
    ``#``) can be read as a scheme, a query or a fragment.

    >>> _href(Path("out/javascript:x?.html"), Path("out"))
    'javascript%3Ax%3F.html'
    """
    return quote(Path(os.path.relpath(path, out)).as_posix(), safe="/")


def write_index(
    results: Iterable[ReportResult], out_dir: str | os.PathLike[str], lang: str = "de"
) -> Path:
    """Write ``index.html`` into ``out_dir`` linking each report; failed ones are listed
    with their error. Returns the path.

    Titles and errors are escaped (``templates/batch_index/page.html.j2``, autoescape),
    links are relative, and the page carries the reports'
    Content-Security-Policy (:data:`~transferkit.reports.runner.REPORT_POLICY`).
    Its words come from :mod:`transferkit.i18n`: a ``lang`` other than ``de`` or ``en``
    raises :class:`~transferkit.i18n.LanguageError` (before anything is written).
    """
    text("report.index_title", lang)  # refuses another language before writing anything
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[ReportResult]] = {}
    for result in results:
        kind = result.job.kind if result.job.kind in REPORT_KINDS else "other"
        groups.setdefault(kind, []).append(result)
    failed: list[str] = []
    shown: list[tuple[str, list[dict[str, object]]]] = []
    for kind in _GROUPS:
        made = [(r, r.html) for r in groups.get(kind, []) if r.ok and r.html is not None]
        failed += [r.describe_failure() for r in groups.get(kind, []) if not r.ok]
        if made:
            shown.append(
                (
                    text(f"report.index_{kind}", lang),
                    [
                        {
                            "href": _href(html_path, out),
                            "title": result.title,
                            "figures": None if result.json is None else _href(result.json, out),
                            "files": [
                                {"href": _href(path, out), "label": text(f"exports.{kind}", lang)}
                                for kind in ("pdf", "docx", "xlsx")
                                if (path := result.exports.get(kind)) is not None
                            ],
                        }
                        for result, html_path in made
                    ],
                )
            )
    page = pages.render(
        "transferkit.reports",
        "page.html.j2",
        folder="templates/batch_index",
        helpers=_HELPERS,
        lang=lang,
        policy=REPORT_POLICY,
        made=f"{datetime.now():%Y-%m-%d %H:%M}",
        groups=shown,
        failed=failed,
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
