"""The demo pilot report as PDF, printed by the system's Chromium (issue 14, item 5).

Made in German and English by one batch (``formats="html,pdf,docx"``, one browser for
both) and read back with pypdf: A4 pages, "Seite i von n" / "Page i of n" on every page,
the title and every section heading of the HTML in the text, each figure embedded as an
image of its PNG's size and on the same page as its caption, and no links to the data
files (they point into the report's folder).
"""

from __future__ import annotations

import base64
import io
import unicodedata
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from transferkit.datasets import import_demo
from transferkit.reports import ReportJob, ReportResult, run_batch
from transferkit.reports.pdf import chromium_path
from transferkit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ("de", "en")
A4 = (595.28, 841.89)  # points (210 x 297 mm)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReportResult]:
    if chromium_path() is None:
        pytest.skip("no Chromium (/usr/bin/chromium): apt-get install chromium")
    tmp = tmp_path_factory.mktemp("report-pdf")
    url = f"sqlite:///{tmp / 'demo.db'}"
    import_demo(Store(url))
    batch = run_batch(
        [ReportJob("pilot", {"db": url, "pilot_id": "P01", "lang": lang}) for lang in LANGS],
        tmp / "reports",
        progress=False,
        formats="html,pdf,docx",
    )
    assert batch.ok, batch.summary()
    return dict(zip(LANGS, batch.results, strict=True))


def _words(text: str) -> str:
    """Whitespace collapsed, ligatures (the ``ﬂ`` of "Reﬂexion" in a PDF) as letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _texts(reader: PdfReader) -> list[str]:
    return [_words(page.extract_text() or "") for page in reader.pages]


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_has_a4_pages_numbered_i_of_n(made: dict[str, ReportResult], lang: str) -> None:
    result = made[lang]
    assert result.exports["pdf"] == result.html.with_suffix(".pdf")  # type: ignore[union-attr]
    reader = PdfReader(result.exports["pdf"])
    n = len(reader.pages)
    assert 3 <= n <= 12
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1.5, width  # Chromium's A4 is within half a millimetre
        assert abs(height - A4[1]) < 1.5, height
    word, of = {"de": ("Seite", "von"), "en": ("Page", "of")}[lang]
    for i, text in enumerate(_texts(reader), start=1):
        assert f"{word} {i} {of} {n}" in text, (i, text[-80:])


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_holds_the_title_and_every_heading_of_the_html(
    made: dict[str, ReportResult], lang: str
) -> None:
    result = made[lang]
    text = " ".join(_texts(PdfReader(result.exports["pdf"])))
    page = lxml.html.fromstring(result.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    headings = [_words(h.text_content()) for h in page.xpath("//h1|//h2")]
    assert headings[0] == result.title
    assert len(headings) >= 8
    for heading in headings:
        assert heading in text, heading
    # the links to the data files are on the screen only
    assert ("Daten der Abbildung" if lang == "de" else "Data of the figure") not in text
    assert "figure_01.csv" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_each_figure_is_embedded_on_the_page_of_its_caption(
    made: dict[str, ReportResult], lang: str
) -> None:
    from PIL import Image

    result = made[lang]
    reader = PdfReader(result.exports["pdf"])
    page = lxml.html.fromstring(result.html.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    pngs = [
        Image.open(io.BytesIO(base64.b64decode(img.get("src").split(",", 1)[1])))
        for img in page.xpath("//img")
    ]
    captions = [_words(p.text_content()) for p in page.xpath("//p[@class='tk-caption']")]
    assert len(pngs) == len(captions) == 5
    embedded = [(image.image.size, i) for i, p in enumerate(reader.pages) for image in p.images]
    assert [size for size, _ in embedded] == [png.size for png in pngs]
    texts = _texts(reader)
    for (_, on_page), caption in zip(embedded, captions, strict=True):
        start = caption[:40]  # a caption's start is on the page of its figure
        assert start in texts[on_page], (on_page, caption)


def test_collapsed_parts_are_printed_open_and_nothing_is_fetched(tmp_path: Path) -> None:
    """A methods section in ``<details>`` (collapsed on screen) is in the PDF; an image
    on a server (here one on 127.0.0.1 that counts requests) is never asked for."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from transferkit.reports.pdf import PdfJob, html_to_pdf

    if chromium_path() is None:
        pytest.skip("no Chromium (/usr/bin/chromium): apt-get install chromium")
    asked: list[str] = []

    class Counting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = tmp_path / "r.html"
    page.write_text(
        "<!DOCTYPE html><html><body><h1>Bericht</h1><details><summary>Methoden</summary>"
        f"<p>Gepaarter t-Test</p></details><img src='http://127.0.0.1:{server.server_port}/x.png'>"
        "</body></html>",
        encoding="utf-8",
    )
    try:
        (pdf,) = html_to_pdf([PdfJob(page, tmp_path / "r.pdf", "Bericht", "de")])
    finally:
        server.shutdown()
        server.server_close()
    text = _words(PdfReader(pdf).pages[0].extract_text())
    assert "Gepaarter t-Test" in text
    assert "Seite 1 von 1" in text
    assert asked == []
