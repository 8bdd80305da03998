"""Reports as Word files and the tables behind their figures as CSV and XLSX (issue 14, item 5).

The demo pilot report is made in German and English with ``formats="html,docx"`` on a
machine whose Chromium is hidden (``$TRANSFERKIT_CHROMIUM`` names no file): Word and the
tables need none. The DOCX is read back with python-docx and compared with the HTML it
was made from (headings, every table cell, every figure's PNG bytes); the tables are
compared with the figures drawn from the same data (bar heights, marker positions).
The PDF is tested in ``tests/browser/test_report_pdf.py``.
"""

from __future__ import annotations

import base64
import math
import os
import re
from pathlib import Path
from typing import Any

import docx
import lxml.html
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from transferkit.datasets import import_demo
from transferkit.exceptions import ParameterError, ReportError
from transferkit.reports import ReportJob, ReportResult, run_batch, run_report
from transferkit.reports import content as rd
from transferkit.reports.content.figure_tables import figure_tables
from transferkit.reports.content.numbers import format_number
from transferkit.reports.exports import parse_formats
from transferkit.reports.pdf import CHROMIUM_ENV
from transferkit.store import Store

LANGS = ("de", "en")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('exports-store') / 'demo.db'}"
    import_demo(Store(url))
    return url


@pytest.fixture(scope="module")
def made(url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReportResult]:
    """The demo pilot report P01 in German and English, as HTML and DOCX, without Chromium."""
    out = tmp_path_factory.mktemp("exports")
    before = os.environ.get(CHROMIUM_ENV)
    os.environ[CHROMIUM_ENV] = str(out / "no-chromium-here")
    try:
        batch = run_batch(
            [ReportJob("pilot", {"db": url, "pilot_id": "P01", "lang": lang}) for lang in LANGS],
            out,
            progress=False,
            formats="html,docx",
        )
    finally:
        if before is None:
            os.environ.pop(CHROMIUM_ENV)
        else:
            os.environ[CHROMIUM_ENV] = before
    assert batch.ok, batch.summary()
    return {lang: r for lang, r in zip(LANGS, batch.results, strict=True)}


def _page(result: ReportResult) -> lxml.html.HtmlElement:
    assert result.html is not None
    return lxml.html.fromstring(result.html.read_text(encoding="utf-8"))


def _words(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- Word
@pytest.mark.parametrize("lang", LANGS)
def test_the_docx_has_the_reports_headings_in_word_heading_styles(
    made: dict[str, ReportResult], lang: str
) -> None:
    result = made[lang]
    assert result.exports["docx"] == result.html.with_suffix(".docx")  # type: ignore[union-attr]
    document = docx.Document(str(result.exports["docx"]))
    page = _page(result)
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == [result.title]
    assert by_style["Heading 1"] == [_words(h.text_content()) for h in page.xpath("//h2")]
    assert rd.text("effects", lang) in by_style["Heading 1"]
    assert document.core_properties.title == result.title
    assert document.core_properties.language == {"de": "de-DE", "en": "en-GB"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_every_docx_table_cell_is_the_html_tables_cell(
    made: dict[str, ReportResult], lang: str
) -> None:
    result = made[lang]
    document = docx.Document(str(result.exports["docx"]))
    html_tables = [
        [
            [_words(cell.text_content()) for cell in row.xpath("./th|./td")]
            for row in t.xpath(".//tr")
        ]
        for t in _page(result).xpath("//table")
    ]
    word_tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert len(word_tables) == len(html_tables) >= 5
    assert word_tables == html_tables
    # the effects table: N and the pre mean of the digital scale are the key figures'
    effects = next(t for t in word_tables if rd.scale_name("digital", lang) in t[1])
    digital = result.key_figures["effects"]["digital"]  # type: ignore[index, call-overload]
    assert effects[1][1] == str(digital["n"]) == "12"
    assert effects[1][2] == format_number(digital["mean_pre"], 2, lang)
    assert effects[1][2] == {"de": "3,15", "en": "3.15"}[lang]


def test_numbers_are_right_aligned_and_texts_left_in_the_docx(
    made: dict[str, ReportResult],
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document(str(made["de"].exports["docx"]))
    effects = next(t for t in document.tables if t.rows[0].cells[0].text == "Bereich")
    first, n = effects.rows[1].cells[0], effects.rows[1].cells[1]
    assert first.paragraphs[0].alignment is None  # text: left (the default)
    assert n.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


@pytest.mark.parametrize("lang", LANGS)
def test_the_docx_embeds_every_figure_of_the_html_as_the_same_png(
    made: dict[str, ReportResult], lang: str
) -> None:
    result = made[lang]
    document = docx.Document(str(result.exports["docx"]))
    images = _page(result).xpath("//img")
    pngs = [base64.b64decode(i.get("src").split(",", 1)[1]) for i in images]
    embedded = []
    for shape in document.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        embedded.append(document.part.related_parts[rid].blob)
        assert shape.width <= docx.shared.Mm(170)  # within the page's text width
    assert len(pngs) == 5
    assert embedded == pngs
    descriptions = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert descriptions == [i.get("alt") for i in images]  # the caption as alternative text
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == [
        _words(p.text_content()) for p in _page(result).xpath("//p[@class='tk-caption']")
    ]


def test_the_docx_is_a4_with_page_numbers_in_its_footer(made: dict[str, ReportResult]) -> None:
    for lang, words in (("de", ("Seite", "von")), ("en", ("Page", "of"))):
        section = docx.Document(str(made[lang].exports["docx"])).sections[0]
        assert round(section.page_width.mm) == 210
        assert round(section.page_height.mm) == 297
        footer = section.footer._element.xml
        assert re.search(r'w:fldSimple w:instr="PAGE"', footer)
        assert re.search(r'w:fldSimple w:instr="NUMPAGES"', footer)
        assert all(word in section.footer.paragraphs[0].text for word in words)


def test_the_docx_leaves_out_the_links_to_the_data_files(made: dict[str, ReportResult]) -> None:
    text = "\n".join(p.text for p in docx.Document(str(made["de"].exports["docx"])).paragraphs)
    assert "Daten der Abbildung" in made["de"].html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "Daten der Abbildung" not in text
    assert "figure_01.csv" not in text


# --------------------------------------------------------------------------- CSV and XLSX
def _contents(result: ReportResult) -> pd.DataFrame:
    return pd.read_excel(result.exports["xlsx"], sheet_name=0)


@pytest.mark.parametrize("lang", LANGS)
def test_each_figure_has_csv_files_and_sheets_with_the_same_values(
    made: dict[str, ReportResult], lang: str
) -> None:
    result = made[lang]
    folder = result.exports["csv"]
    assert folder == result.html.parent / f"{result.name}_tables"  # type: ignore[union-attr]
    sheets = pd.read_excel(result.exports["xlsx"], sheet_name=None)
    contents = next(iter(sheets.values()))
    assert next(iter(sheets)) == {"de": "Inhalt", "en": "Contents"}[lang]
    figures = sorted(set(contents.iloc[:, 0]))
    assert figures == [1, 2, 3, 4, 5]  # one per figure of the report
    captions = [_words(p.text_content()) for p in _page(result).xpath("//p[@class='tk-caption']")]
    assert list(contents.drop_duplicates(contents.columns[0]).iloc[:, 1]) == captions
    for _, row in contents.iterrows():
        csv = pd.read_csv(folder.parent / row.iloc[3])
        sheet = sheets[row.iloc[2]]
        pd.testing.assert_frame_equal(csv, sheet, check_dtype=False)
        assert len(csv) > 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(f).name for f in contents.iloc[:, 3]
    )


def test_the_html_links_each_figure_to_its_files(made: dict[str, ReportResult]) -> None:
    result = made["de"]
    page = _page(result)
    links = page.xpath("//p[contains(@class, 'tk-figure-data')]")
    assert len(links) == 5
    for paragraph in links:
        hrefs = [a.get("href") for a in paragraph.xpath(".//a")]
        assert hrefs[-1] == f"{result.name}_tables.xlsx"
        assert all(not re.match(r"[a-z]+:", h) for h in hrefs)  # relative
        for href in hrefs:
            assert (result.html.parent / href).is_file(), href  # type: ignore[union-attr]
        assert "Abb." in paragraph.text_content()


def _by_caption(result: ReportResult) -> dict[str, list[pd.DataFrame]]:
    contents = _contents(result)
    found: dict[str, list[pd.DataFrame]] = {}
    for _, row in contents.iterrows():
        found.setdefault(row.iloc[1], []).append(
            pd.read_csv(result.exports["csv"].parent / row.iloc[3])
        )
    return found


def _drawn(draw: Any) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    draw(ax=ax)
    plt.close(fig)
    return ax


def test_the_pilot_tables_hold_what_its_figures_draw(
    made: dict[str, ReportResult], url: str
) -> None:
    """Each CSV against the figure drawn from the report's own data (a second reading)."""
    result = made["de"]
    tables = _by_caption(result)
    report = rd.pilot_report(Store(url), "P01", "de")
    checked = set()
    for section in report.sections.values():
        for draw, caption in section.figures:
            ax, name = _drawn(draw), draw.func.__name__
            found = tables[caption]
            if name == "draw_bars":
                np.testing.assert_array_equal(
                    [p.get_height() for p in ax.patches], found[0]["participants"]
                )
            elif name == "draw_gas":
                begin, end = (c.get_offsets() for c in ax.collections[:2])
                np.testing.assert_array_equal(begin[:, 0], found[0]["baseline"])
                np.testing.assert_array_equal(end[:, 0], found[0]["follow_up"])
            elif name == "draw_slopes":
                persons, means = found
                bold = [line for line in ax.lines if line.get_linewidth() == 3]
                np.testing.assert_allclose(
                    [line.get_ydata() for line in bold], means[["pre", "post"]].to_numpy()
                )
                thin = [tuple(line.get_ydata()) for line in ax.lines if line.get_linewidth() != 3]
                assert sorted(thin) == sorted(map(tuple, persons[["pre", "post"]].to_numpy()))
            elif name == "draw_trends":
                for line, (_, part) in zip(
                    ax.lines, found[0].groupby("metric", sort=False), strict=True
                ):
                    np.testing.assert_allclose(line.get_ydata(), part["mean"])
            elif name == "draw_cost_bars":
                np.testing.assert_allclose(
                    [p.get_height() for p in ax.patches], found[0]["amount_eur"]
                )
            checked.add(name)
    assert checked == {"draw_bars", "draw_gas", "draw_slopes", "draw_trends", "draw_cost_bars"}


def test_no_table_names_a_participant_or_carries_microdata(
    made: dict[str, ReportResult], url: str
) -> None:
    store = Store(url)
    codes = set(store.participants()["participant"].astype(str))
    reports = [
        rd.pilot_report(store, "P01", "en"),
        rd.network_report(store, "C03", "en"),
        rd.needs_report(store, "", "en"),
        rd.needs_report(store, "C03", "en"),
    ]
    for report in reports:
        for section in report.sections.values():
            for draw, _ in section.figures:
                for _, table in figure_tables(draw, "en"):
                    assert "participant" not in table.columns
                    cells = {str(v) for v in table.to_numpy().ravel()}
                    assert not cells & codes, report.title
    written = "".join(p.read_text(encoding="utf-8") for p in made["de"].exports["csv"].iterdir())
    assert not [c for c in codes if c in written]


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_of_every_report_has_a_table(url: str, lang: str) -> None:
    store = Store(url)
    reports = [
        rd.pilot_report(store, "P01", lang),
        rd.network_report(store, "C03", lang),
        rd.needs_report(store, "", lang),
        rd.loop_protocol(store, "P01", 2, lang),
    ]
    n = 0
    for report in reports:
        for section in report.sections.values():
            for draw, caption in section.figures:
                tables = figure_tables(draw, lang)
                assert tables, f"{report.title}: no table behind {caption!r}"
                assert all(len(t) for _, t in tables), caption
                n += 1
    assert n >= 10


def test_the_needs_and_network_tables_hold_what_their_figures_draw(url: str) -> None:
    store = Store(url)
    seen = set()
    for report in (rd.needs_report(store, "", "de"), rd.network_report(store, "", "de")):
        for section in report.sections.values():
            for draw, _ in section.figures:
                ax = _drawn(draw)
                table = figure_tables(draw, "de")[0][1]
                name = draw.func.__name__ + (f":{draw.args[0]}" if draw.args else "")
                seen.add(name)
                if name == "draw_portfolio":
                    points = ax.collections[0].get_offsets()
                    np.testing.assert_allclose(points[:, 0], table["competence"])
                    np.testing.assert_allclose(points[:, 1], table["importance"])
                    labels = [t.get_text() for t in ax.texts[: len(table)]]
                    assert labels == list(table["topic_name"])
                elif name == "draw_format_bars":
                    widths = sorted(p.get_width() for p in ax.patches)
                    np.testing.assert_allclose(widths, sorted(table["pct"]))
                elif name == "draw_shared_plot:plot_gas":
                    from matplotlib.collections import PathCollection

                    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
                    begin, end = (c.get_offsets() for c in scatters)
                    np.testing.assert_allclose(begin[:, 0], table["t_baseline"])
                    np.testing.assert_allclose(end[:, 0], table["t_follow_up"])
                elif name == "draw_satisfaction_trends":
                    for line, (_, part) in zip(
                        ax.lines, table.groupby("pilot_id", sort=True), strict=True
                    ):
                        np.testing.assert_allclose(line.get_ydata(), part["mean"])
                elif name == "draw_forest":
                    drawn = sorted(
                        float(x)
                        for c in ax.containers
                        for x in c.lines[0].get_xdata()
                        if not math.isnan(x)
                    )
                    np.testing.assert_allclose(drawn, sorted(table["mean_diff"].dropna()))
    assert seen == {
        "draw_portfolio",
        "draw_format_bars",
        "draw_shared_plot:plot_gas",
        "draw_satisfaction_trends",
        "draw_forest",
    }


# --------------------------------------------------------------------------- formats
def test_formats_are_checked_before_any_report_runs(url: str, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="unknown report format 'odt'"):
        run_report("pilot", {"db": url, "pilot_id": "P01"}, tmp_path, formats="html,odt")
    assert parse_formats(["docx"]) == ("html", "docx")
    assert list(tmp_path.iterdir()) == []


def test_pdf_without_chromium_says_how_to_install_it_and_makes_nothing(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "missing" / "chromium"))
    with pytest.raises(ReportError) as info:
        run_report("pilot", {"db": url, "pilot_id": "P01"}, tmp_path / "out", formats="pdf")
    message = str(info.value)
    assert "apt-get install chromium" in message
    assert CHROMIUM_ENV in message
    assert "--format html,docx" in message  # what still works
    assert not (tmp_path / "out").exists()  # stopped before any kernel


def test_the_cli_takes_formats_and_reports_a_missing_chromium_in_one_line(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transferkit.cli.report import report

    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "missing"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        report, ["pilot", "P01", "--db", url, "--out", str(out), "--format", "html,pdf"]
    )
    assert result.exit_code == 1
    assert "apt-get install chromium" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(
        report, ["needs", "--db", url, "--out", str(out), "--format", "odt"]
    )
    assert result.exit_code == 1
    assert "unknown report format 'odt'" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- links
def test_the_index_links_each_reports_pdf_word_and_tables(tmp_path: Path) -> None:
    from transferkit.reports import write_index

    result = ReportResult(ReportJob("pilot", {}), "pilot_P01", ok=True, html=tmp_path / "p.html")
    result.exports = {
        "pdf": tmp_path / "p.pdf",
        "docx": tmp_path / "p.docx",
        "xlsx": tmp_path / "p_tables.xlsx",
    }
    page = write_index([result], tmp_path, "de").read_text(encoding="utf-8")
    links = lxml.html.fromstring(page).xpath("//li//a")
    assert [(a.get("href"), a.text) for a in links] == [
        ("p.html", "pilot_P01"),
        ("p.pdf", "PDF"),
        ("p.docx", "Word"),
        ("p_tables.xlsx", "Tabellen (XLSX)"),
    ]


def test_links_to_odd_file_names_stay_relative_and_other_markers_untouched(tmp_path: Path) -> None:
    from transferkit.reports.figuredata import encode_table
    from transferkit.reports.tables import link_tables, write_tables

    figure = {
        "key": 7,
        "caption": "x",
        "tables": [encode_table("", pd.DataFrame({"a": [1.5]}))],
    }
    written = write_tables([figure], tmp_path, "javascript:x?#", "en")  # type: ignore[list-item]
    page = (
        '<p class="tk-figure-data" data-figure="7"></p>'
        '<p class="tk-figure-data" data-figure="8"></p>'
        '<p class="tk-figure-data" data-figure="x"></p>'
    )
    linked = lxml.html.fromstring(f"<div>{link_tables(page, written, tmp_path, 'en')}</div>")
    hrefs = [a.get("href") for a in linked.xpath("//a")]
    assert hrefs == [
        "javascript%3Ax%3F%23_tables/figure_01.csv",
        "javascript%3Ax%3F%23_tables.xlsx",
    ]
    markers = linked.xpath("//p[@class='tk-figure-data']")
    assert [m.get("data-figure") for m in markers] == ["7", "8", "x"]
    assert [m.text_content() for m in markers[1:]] == ["", ""]  # no tables: left as they were
    assert pd.read_csv(tmp_path / "javascript:x?#_tables" / "figure_01.csv")["a"].tolist() == [1.5]


def test_a_report_without_figures_gets_no_table_files_and_loses_stale_ones(tmp_path: Path) -> None:
    from transferkit.reports.figuredata import encode_table
    from transferkit.reports.tables import write_tables

    figure = {"key": 1, "caption": "x", "tables": [encode_table("", pd.DataFrame({"a": [1]}))]}
    assert write_tables([figure], tmp_path, "r", "de") is not None  # type: ignore[list-item]
    assert (tmp_path / "r_tables.xlsx").is_file()
    assert write_tables([], tmp_path, "r", "de") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_cli_makes_a_needs_report_in_word_with_its_tables(url: str, tmp_path: Path) -> None:
    from transferkit.cli.report import report

    result = CliRunner().invoke(
        report,
        ["needs", "--db", url, "--out", str(tmp_path), "--lang", "en", "--format", "docx"],
    )
    assert result.exit_code == 0, result.output
    word = tmp_path / "needs_network_en.docx"
    assert str(word) in result.output
    document = docx.Document(str(word))
    assert len(document.inline_shapes) == 2  # the portfolio and the formats chart
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert rd.text("portfolio_of_topics", "en") in headings
    sheets = pd.read_excel(tmp_path / "needs_network_en_tables.xlsx", sheet_name=None)
    assert list(sheets) == ["Contents", "Fig. 1", "Fig. 2"]
    portfolio = sheets["Fig. 1"]
    assert {"topic", "topic_name", "importance", "competence"} <= set(portfolio.columns)
    assert not (tmp_path / "needs_network_en.pdf").exists()
