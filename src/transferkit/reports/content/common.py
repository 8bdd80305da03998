"""Shared building blocks of the reports: the :class:`Report` and its :class:`Section` s,
display (headings, paragraphs, bullet lists, captioned figures as embedded PNG, tables,
key figures), plain JSON key figures and number/date formatting for prose.

Everything a report shows is plain text turned into HTML here, escaped: participants'
words (and names from the store) never pass through a Markdown or HTML renderer, so
they cannot bring markup, links or scripts into a report. The structure (paragraphs,
bullet lists, emphasis, headings) is the package's own.

>>> text_html("Zwei Zeilen\\nmit <b>")
'<p>Zwei Zeilen<br>mit &lt;b&gt;</p>'
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from transferkit.reports.content.numbers import format_number, localize_ticks
from transferkit.reports.keyfigures import KEY_FIGURES_MIMETYPE, plain

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from transferkit.store.values import JSONValue

__all__ = [
    "KEY_FIGURES_MIMETYPE",
    "Cell",
    "KeyFigures",
    "Report",
    "Section",
    "heading_html",
    "list_html",
    "plain",
    "show_figure",
    "show_footer",
    "show_heading",
    "show_key_figures",
    "show_list",
    "show_report_header",
    "show_section",
    "show_table",
    "show_text",
    "text_html",
]


#: A report's key figures: name to a value headed for JSON (numbers, texts, lists and
#: mappings of these; numpy scalars and NaN until :func:`plain` makes them JSON).
KeyFigures: TypeAlias = "dict[str, JSONValue]"

#: One cell of a DataFrame as a report formats it: a number, text, date, ``None`` or NA.
Cell: TypeAlias = Any


@dataclass
class Section:
    """One part of a report: a heading, an intro, a bullet list, tables and figures with captions.

    All texts are plain text (shown escaped): ``text`` is one or more paragraphs
    (separated by blank lines), each entry of ``items`` one bullet (its line breaks kept).
    """

    key: str
    heading: str
    text: str = ""
    items: list[str] = field(default_factory=list)  # bullets, e.g. participants' inputs
    tables: list[tuple[pd.DataFrame, str]] = field(default_factory=list)  # (DataFrame, caption)
    figures: list[tuple[Callable[..., object], str]] = field(
        default_factory=list
    )  # (draw(ax=), caption)
    empty: str = ""  # shown instead when there are no data


@dataclass
class Report:
    """A report's content in one language, ready to be shown."""

    title: str
    subtitle: str
    summary: str
    lang: str
    sections: dict[str, Section] = field(default_factory=dict)
    key_figures: KeyFigures = field(default_factory=dict)
    footer: str = ""  # version, date and data source (methods.footer_text)


def _display(obj: object, raw: bool = False) -> None:
    from IPython.display import display

    display(obj, raw=raw)


def _blocks() -> Any:
    """The macros of ``templates/content/blocks.html.j2`` (each returns escaped markup)."""
    from transferkit.pages import template

    return template("transferkit.reports", "content/blocks.html.j2").module


def text_html(text: str, *, emphasis: bool = False) -> str:
    """Plain text as HTML paragraphs, escaped: blank lines separate paragraphs, line breaks
    stay (``<br>``); with ``emphasis`` each paragraph is in italics.

    >>> text_html("a\\n\\n<b>", emphasis=True)
    '<p><em>a</em></p><p><em>&lt;b&gt;</em></p>'
    """
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", str(text).replace("\r\n", "\n"))]
    return str(_blocks().paragraphs([p for p in paragraphs if p.strip()], emphasis))


def list_html(items: Iterable[str]) -> str:
    """A bullet list, one escaped entry each (its line breaks kept); empty for no items.

    >>> list_html(["x & y", "[a](javascript:b)"])
    '<ul><li>x &amp; y</li><li>[a](javascript:b)</li></ul>'
    """
    return str(_blocks().bullets([str(item) for item in items]))


def heading_html(text: str, level: int = 2) -> str:
    """An escaped heading ``<h1>`` … ``<h6>`` (line breaks become spaces)."""
    level = min(max(int(level), 1), 6)
    return str(_blocks().heading(" ".join(str(text).split()), level))


def _show_html(markup: str) -> None:
    """Display HTML built by this module (never pass text that is not escaped)."""
    from IPython.display import HTML

    _display(HTML(markup))


def show_text(text: str, *, emphasis: bool = False) -> None:
    """Display plain text as paragraphs (escaped; see :func:`text_html`)."""
    if str(text).strip():
        _show_html(text_html(text, emphasis=emphasis))


def show_list(items: Iterable[str]) -> None:
    """Display a bullet list of plain texts (escaped; see :func:`list_html`)."""
    markup = list_html(items)
    if markup:
        _show_html(markup)


def show_heading(text: str, level: int = 2) -> None:
    """Display a heading (plain text, escaped)."""
    _show_html(heading_html(text, level))


def show_figure(fig: Figure, caption: str, *, dpi: int = 110, lang: str | None = None) -> None:
    """Display a matplotlib figure as a PNG (embedded in the HTML) and its caption; close it.

    With ``lang="de"`` numeric tick labels get a decimal comma (:func:`localize_ticks`).
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML, Image

    if lang is not None:
        localize_ticks(fig, lang)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    _display(Image(data=buffer.getvalue(), format="png"))
    _display(HTML(str(_blocks().caption(caption))))


def show_table(
    frame: pd.DataFrame, caption: str = "", *, precision: int = 2, lang: str = "de"
) -> None:
    """Display a DataFrame as a plain HTML table (no index), with a caption above.

    Decimals get ``precision`` places, thousands grouped, with a decimal comma in
    German. Numeric columns (also formatted ones such as ``p < .001``) are aligned
    right, text columns left. Cells, column names and the caption are escaped.
    """
    from IPython.display import HTML

    def fmt(value: Cell) -> str:
        if isinstance(value, float):
            return "–" if math.isnan(value) else format_number(value, precision, lang)
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, 0, lang)
        return str(value)

    number = _TABLES[0]
    _TABLES[0] += 1
    columns = [
        {"name": str(c), "align": "right" if _is_numeric_column(frame[c]) else "left"}
        for c in frame.columns
    ]
    rows = [[_table_cell(value, fmt) for value in row] for row in frame.itertuples(index=False)]
    _display(HTML(str(_blocks().table(number, caption, columns, rows))))


def _table_cell(value: Cell, fmt: Callable[[Cell], str]) -> str:
    """A cell's text: "–" for a missing value (None, NaN, NaT, pd.NA), else ``fmt``'s."""
    import pandas as pd

    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell
        missing = False
    return "–" if missing else fmt(value)


_TABLES = [0]  # a number per table of the report, for its column alignment
_NUMERIC_TEXT = re.compile(
    r"^\s*(?:[-−+]?[\d.,]+\s*%?|[-−]?[\d.,]+\s*…\s*[-−]?[\d.,]+|p [<=] [\d.,]+|t\([\d.,]+\) = [-−]?[\d.,]+|–)\s*$"
)


def _is_numeric_column(column: Any) -> bool:
    """Numbers, or texts that show numbers (``1,25``, ``p < .001``, ``0,1 … 0,9``): aligned right."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if is_numeric_dtype(column) and not is_bool_dtype(column):
        return True
    values = [str(v) for v in column.dropna().tolist()]
    return bool(values) and all(_NUMERIC_TEXT.match(v) for v in values)


def show_report_header(report: Report) -> None:
    """Display the title, subtitle and the plain-words summary."""
    show_heading(report.title, 1)
    if report.subtitle:
        show_text(report.subtitle, emphasis=True)
    show_text(report.summary)


def show_section(report: Report, key: str) -> None:
    """Display one section of a report: heading, text, bullets, tables, captioned figures."""
    import matplotlib.pyplot as plt

    from transferkit.reports.content.figure_tables import show_figure_data

    section = report.sections.get(key)
    if section is None:
        return
    show_heading(section.heading)
    if section.text or section.items:  # one output, as one block of text
        _show_html(text_html(section.text) + list_html(section.items))
    if not (section.text or section.items or section.tables or section.figures) and section.empty:
        show_text(section.empty, emphasis=True)
    for table, caption in section.tables:
        show_table(table, caption, lang=report.lang)
    for draw, caption in section.figures:
        fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
        draw(ax=ax)
        show_figure(fig, caption, lang=report.lang)
        show_figure_data(draw, caption, report.lang)  # its tables, for CSV and XLSX files


def show_footer(report: Report) -> None:
    """Display the report's footer (version, date, data source) in small grey type."""
    from IPython.display import HTML

    if report.footer:
        _display(HTML(str(_blocks().footer(report.footer))))


def show_key_figures(figures: Mapping[str, JSONValue]) -> None:
    """Display the key figures for the report runner (invisible in the HTML)."""
    _display({KEY_FIGURES_MIMETYPE: plain(figures)}, raw=True)


def format_date(value: Cell) -> str:
    try:
        return f"{value:%d.%m.%Y}"
    except (TypeError, ValueError):
        return "–"
