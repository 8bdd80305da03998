"""The ``index.html`` that links every report of a batch, grouped by kind."""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from transferkit.reports.runner import REPORT_POLICY, ReportResult

__all__ = ["write_index"]

_TEXT = {
    "de": {
        "title": "transferkit – Berichte",
        "intro": "Alle Berichte dieses Laufs. Jeder Bericht öffnet sich im Browser; "
                 "die Kennzahlen stehen jeweils in einer JSON-Datei daneben.",
        "pilot": "Pilotprojekte", "network": "Netzwerk", "needs": "Bedarfsanalysen",
        "protocol": "Protokolle der Reflexionsschleifen", "other": "Weitere Berichte",
        "failed": "Nicht erstellt", "made": "erstellt am", "figures": "Kennzahlen (JSON)",
    },
    "en": {
        "title": "transferkit – reports",
        "intro": "Every report of this run. Each opens in a browser; its key figures "
                 "are in a JSON file beside it.",
        "pilot": "Pilot projects", "network": "Network", "needs": "Needs analyses",
        "protocol": "Reflection loop protocols", "other": "Other reports",
        "failed": "Not made", "made": "made on", "figures": "key figures (JSON)",
    },
}

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
li{margin:.3em 0} .meta{color:#666;font-size:.9em} .failed{color:#a00}
"""


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

    Titles and errors are escaped, links are relative, and the page carries the reports'
    Content-Security-Policy (:data:`~transferkit.reports.runner.REPORT_POLICY`).
    """
    text = _TEXT.get(lang, _TEXT["de"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[ReportResult]] = {}
    for result in results:
        kind = result.job.kind if result.job.kind in text else "other"
        groups.setdefault(kind, []).append(result)
    esc = html.escape
    parts = [
        f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(REPORT_POLICY)}">',
        f"<title>{esc(text['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(text['title'])}</h1><p>{esc(text['intro'])}</p>",
        f'<p class="meta">{esc(text["made"])} {datetime.now():%Y-%m-%d %H:%M}</p>',
    ]
    failed: list[ReportResult] = []
    for kind in ("pilot", "network", "needs", "protocol", "other"):
        made = [(r, r.html) for r in groups.get(kind, []) if r.ok and r.html is not None]
        failed += [r for r in groups.get(kind, []) if not r.ok]
        if not made:
            continue
        parts.append(f"<h2>{esc(text[kind])}</h2><ul>")
        for result, html_path in made:
            link = _href(html_path, out)
            extra = ""
            if result.json is not None:
                extra = (f' <span class="meta">(<a href="{esc(_href(result.json, out))}">'
                         f"{esc(text['figures'])}</a>)</span>")
            parts.append(f'<li><a href="{esc(link)}">{esc(result.title)}</a>{extra}</li>')
        parts.append("</ul>")
    if failed:
        parts.append(f'<h2 class="failed">{esc(text["failed"])}</h2><ul>')
        parts += [f'<li class="failed">{esc(r.describe_failure())}</li>' for r in failed]
        parts.append("</ul>")
    parts.append("</body></html>")
    path = out / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
