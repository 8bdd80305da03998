"""The protocol of a closed loop: the ``loop_protocol`` report, or a plain HTML page when it cannot run."""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transferkit import pages
from transferkit.exceptions import StoreError
from transferkit.i18n import text
from transferkit.live.closing import LoopSummary
from transferkit.localtime import format_local

log = logging.getLogger(__name__)


@dataclass
class ProtocolResult:
    """The protocol of a closed loop: the ``loop_protocol`` report, or the printable summary.

    ``ok`` is true when the report was made (``path`` is its HTML file);
    otherwise ``error`` says why and ``page`` is :func:`protocol_html`.
    """

    ok: bool
    page: str
    path: Path | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def filename(self) -> str:
        """A file name for downloading ``page``."""
        return self.path.name if self.path is not None else "protocol.html"


def protocol_dir(store: Any) -> Path:
    """Where loop protocols are written: ``$TRANSFERKIT_REPORTS``, else ``reports/`` beside
    the SQLite file, else ``reports/`` in the current folder."""
    env = os.environ.get("TRANSFERKIT_REPORTS")
    if env:
        return Path(env)
    database = _sqlite_file(store)
    if database is not None:
        return database.parent / "reports"
    return Path.cwd() / "reports"


def _sqlite_file(store: Any) -> Path | None:
    url = getattr(store, "url", None)
    if url is None or url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).resolve()


def _report_db(store: Any) -> str:
    """The store's URL for a report kernel (another process); StoreError if it cannot see it."""
    url = getattr(store, "url", None)
    if url is None:
        msg = "the store has no URL"
        raise StoreError(msg)
    if url.get_backend_name() == "sqlite":
        database = _sqlite_file(store)
        if database is None:
            msg = "an in-memory SQLite database cannot be read by the report's own kernel"
            raise StoreError(msg)
        url = url.set(database=str(database))
    return str(url.render_as_string(hide_password=False))


def make_protocol(
    store: Any,
    summary: LoopSummary,
    lang: str = "de",
    out_dir: str | os.PathLike[str] | None = None,
    *,
    timeout: int = 300,
) -> ProtocolResult:
    """The protocol of a closed loop; never raises.

    Runs the ``loop_protocol`` report (:func:`transferkit.reports.run_report`,
    a notebook kernel: a few seconds) for the summary's pilot and loop into
    ``out_dir`` (default :func:`protocol_dir`). When that fails, the result
    carries the reason and the printable :func:`protocol_html` instead.
    """
    start = time.perf_counter()
    try:
        from transferkit.reports import run_report

        params = {
            "db": _report_db(store),
            "lang": lang,
            "pilot_id": summary.pilot,
            "loop": int(summary.loop),
        }
        folder = Path(out_dir) if out_dir is not None else protocol_dir(store)
        result = run_report(
            "protocol",
            params,
            folder,
            name=protocol_name(params, summary.version),
            store=store,
            timeout=timeout,
        )
        if result.html is None:  # pragma: no cover - run_report raises instead
            msg = "the report wrote no HTML file"
            raise StoreError(msg)
        page = result.html.read_text(encoding="utf-8")
        path: Path | None = result.html
        ok, error = True, ""
    except Exception as exc:  # noqa: BLE001 - any failure: the printable summary instead
        log.warning("loop protocol report failed: %s", exc)
        page, path, ok = protocol_html(summary, lang), None, False
        error = str(exc) or type(exc).__name__
    return ProtocolResult(
        ok=ok, page=page, path=path, error=error, seconds=time.perf_counter() - start
    )


#: The key figures of a loop shown with a name of their own (``protocol.indicator_<name>``);
#: ``<question>_mean`` ratings are shown as ``protocol.rating``.
_COUNTS = (
    "participants",
    "responses",
    "items_carried_in",
    "items_new",
    "items_done",
    "items_dropped",
    "items_open",
)


def _question_labels(template: str, lang: str) -> dict[str, str]:
    """Question id -> label of a template (empty when it cannot be loaded)."""
    try:
        from transferkit.templates import load_template

        return {q.id: q.label.get(lang) for q in load_template(template).all_questions()}
    except Exception:  # noqa: BLE001 - the printable summary must not fail on a label
        return {}


def _indicator_rows(
    indicators: dict[str, Any], lang: str, questions: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows of a loop's key figures for the printable protocol."""
    questions = questions or {}
    rows: list[tuple[str, str]] = []
    for key, value in indicators.items():
        if key in _COUNTS:
            rows.append(
                (text(f"protocol.indicator_{key}", lang), "–" if value is None else str(value))
            )
        elif key.endswith("_mean"):
            name = key.removesuffix("_mean")
            n = indicators.get(f"{name}_n")
            mean = "–" if value is None else f"{float(value):.1f}"
            label = text("protocol.rating", lang, question=questions.get(name, name))
            rows.append((label, f"{mean} (n = {n})"))
    return rows


#: The helpers of ``templates/protocol.html.j2``: its headings from the catalogue.
_HELPERS: dict[str, Any] = {"text": text}


def protocol_html(summary: LoopSummary, lang: str = "de", title: str | None = None) -> str:
    """A printable, self-contained HTML summary of a closed loop.

    The fallback when the ``loop_protocol`` report cannot be made
    (:func:`make_protocol`); it shows what the moderator just did: key
    figures, decisions on earlier items, groups and dots, new action items.
    Every value is escaped (``templates/protocol.html.j2``, autoescape). Its texts
    come from :mod:`transferkit.i18n` (area ``protocol``): a ``lang`` other than
    ``de`` or ``en`` raises :class:`~transferkit.i18n.LanguageError`.
    """
    from transferkit.reports.content import status_label

    board = summary.board or {}
    heading = text("protocol.heading", lang, loop=summary.loop, pilot=summary.pilot)
    return pages.render(
        "transferkit.live",
        "protocol.html.j2",
        helpers=_HELPERS,
        lang=lang,
        heading=title or heading,
        closed=format_local(summary.closed_at, lang),  # $TRANSFERKIT_TIMEZONE, Europe/Berlin
        version=summary.version,
        indicators=_indicator_rows(
            summary.indicators, lang, _question_labels(summary.template, lang)
        ),
        decisions=[(str(d["what"]), status_label(d["decision"], lang)) for d in summary.decisions],
        groups=[
            (str(name), [str(t) for t in texts])
            for name, texts in (board.get("groups") or {}).items()
        ],
        dots=[(str(d["target"]), str(d["dots"])) for d in board.get("dots") or []],
        new_items=[
            (str(i["what"]), str(i.get("who") or "–"), str(i.get("due") or "–"))
            for i in summary.new_items
        ],
    )


def protocol_name(params: dict[str, Any], version: int = 1) -> str:
    """The file stem of a loop's protocol: ``protocol_P01_loop2``, then ``_v2``, ``_v3`` …
    for the loop closed again, so an earlier protocol file is never overwritten.

    >>> protocol_name({"pilot_id": "P01", "loop": 2}, 1), protocol_name({"pilot_id": "P01", "loop": 2}, 3)
    ('protocol_P01_loop2', 'protocol_P01_loop2_v3')
    """
    from transferkit.reports.runner import report_name

    stem = report_name("protocol", params)
    return stem if version <= 1 else f"{stem}_v{int(version)}"


def slug(text: str) -> str:
    """A filename-safe version of ``text``.

    >>> slug("P01 loop 2")
    'P01_loop_2'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")
