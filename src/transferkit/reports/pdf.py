"""Reports as PDF: the HTML report printed by Chromium (Playwright), A4 with page numbers.

The Chromium is the system's (``/usr/bin/chromium`` on Debian, from
``apt-get install chromium``; another path in ``$TRANSFERKIT_CHROMIUM``); Playwright drives
it through ``executable_path`` and downloads no browser of its own. One browser prints
all reports of a batch. The page is the report as it is (no script runs in it: its
Content-Security-Policy forbids them; nothing is loaded from the network), with print
rules added: A4, the report title in the header, "Seite 3 von 7" / "Page 3 of 7" in the
footer, a figure kept on one page with its caption, no heading alone at the foot of a
page, table rows not split, table heads repeated, collapsed parts (``<details>``) open,
and the links to the figures' data files left out (they point into the report's folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from transferkit import pages
from transferkit.exceptions import ReportError
from transferkit.i18n import text

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_ENV",
    "PRINT_CSS",
    "PdfJob",
    "chromium_path",
    "html_to_pdf",
    "require_chromium",
]

#: Environment variable naming the Chromium (or Chrome) executable to print with.
CHROMIUM_ENV = "TRANSFERKIT_CHROMIUM"
_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

#: Command-line switches of the headless browser (no sandbox: it may run as root in CI).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: Print rules added to the report page before printing.
PRINT_CSS = """
@page { size: A4; }
html, body, .jp-Notebook, main { margin: 0 !important; padding: 0 !important; }
body { font-size: 10.5pt; }
.jp-Cell, .jp-OutputArea-child { display: block !important; }
.jp-OutputPrompt, .jp-InputPrompt, .jp-Collapser { display: none !important; }
.tk-figure-data { display: none !important; }
img { max-width: 100% !important; height: auto !important; }
.jp-OutputArea-child:has(img) { break-inside: avoid; break-after: avoid; }
.jp-OutputArea-child:has(.tk-caption) { break-before: avoid; }
.jp-OutputArea-child:has(h1, h2, h3, h4) { break-after: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
tr, img, .tk-caption { break-inside: avoid; }
thead { display: table-header-group; }
.jp-OutputArea-output { overflow: visible !important; }
.jp-RenderedHTMLCommon table {
  table-layout: auto !important; width: 100% !important; font-size: 8.5pt !important;
}
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 2pt 4pt !important; }
.jp-RenderedHTMLCommon td { white-space: nowrap; }
.jp-RenderedHTMLCommon td:first-child { white-space: normal; }
"""

_FOLDER = "templates/exports"


def chromium_path() -> Path | None:
    """The Chromium to print with: ``$TRANSFERKIT_CHROMIUM``, else ``/usr/bin/chromium`` or a
    ``chromium``/``google-chrome`` on the ``PATH``; ``None`` when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        path = Path(named)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for candidate in _CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    return None


def require_chromium() -> Path:
    """The Chromium path, or :class:`~transferkit.exceptions.ReportError` saying how to
    install it (and Playwright, if that is missing). Checked before any report runs."""
    path = chromium_path()
    if path is None:
        named = os.environ.get(CHROMIUM_ENV)
        where = (
            f"{CHROMIUM_ENV}={named} is not an executable file"
            if named
            else (
                "no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, "
                "google-chrome)"
            )
        )
        msg = (
            f"PDF reports need Chromium: {where}. Install it with `sudo apt-get install "
            f"chromium` (Debian/Ubuntu) or set {CHROMIUM_ENV} to a Chromium or Chrome "
            "executable. HTML and Word (--format html,docx) work without it."
        )
        raise ReportError(msg)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        msg = (
            f"PDF reports need the Python package playwright ({error}): "
            "`pip install playwright` (no `playwright install`: the system's Chromium is used)."
        )
        raise ReportError(msg) from error
    return path


@dataclass(frozen=True)
class PdfJob:
    """One report to print: its HTML file, the PDF to write, its title and language."""

    html: Path
    pdf: Path
    title: str
    lang: str = "de"


def _templates(job: PdfJob) -> tuple[str, str]:
    """Chromium's header and footer templates (it fills ``pageNumber`` and ``totalPages``)."""
    header = pages.render(
        "transferkit.reports", "pdf_header.html.j2", folder=_FOLDER, title=job.title
    )
    footer = pages.render(
        "transferkit.reports",
        "pdf_footer.html.j2",
        folder=_FOLDER,
        page=text("exports.page", job.lang),
        of=text("exports.page_of", job.lang),
    )
    return header, footer


def _print_all(jobs: Sequence[PdfJob], chromium: Path) -> list[Path]:
    from playwright.sync_api import Route, sync_playwright

    def local_only(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    done: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=list(CHROMIUM_ARGS))
        try:
            for job in jobs:
                page = browser.new_page()
                try:
                    page.route("**/*", local_only)
                    page.goto(job.html.resolve().as_uri(), wait_until="load")
                    page.emulate_media(media="print")
                    page.add_style_tag(content=PRINT_CSS)
                    page.evaluate(
                        "document.querySelectorAll('details').forEach(d => d.open = true)"
                    )
                    header, footer = _templates(job)
                    tmp = job.pdf.with_name(f".{job.pdf.name}.tmp")
                    page.pdf(
                        path=tmp,
                        format="A4",
                        print_background=True,
                        display_header_footer=True,
                        header_template=header,
                        footer_template=footer,
                        margin={"top": "20mm", "bottom": "18mm", "left": "18mm", "right": "18mm"},
                        outline=True,
                        tagged=True,
                    )
                    tmp.replace(job.pdf)
                    done.append(job.pdf)
                finally:
                    page.close()
        finally:
            browser.close()
    return done


def html_to_pdf(jobs: Sequence[PdfJob]) -> list[Path]:
    """Print each job's HTML to its PDF with one Chromium; return the PDFs written.

    Raises :class:`~transferkit.exceptions.ReportError` when Chromium or Playwright is
    missing (:func:`require_chromium`). Runs in a thread of its own, so it also works
    where an event loop is running (a Jupyter kernel calling ``run_report``).
    """
    if not jobs:
        return []
    chromium = require_chromium()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_all, jobs, chromium).result()
