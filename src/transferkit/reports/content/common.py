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

import html
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

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
    figures: list[tuple[Callable[..., object], str]] = field(default_factory=list)  # (draw(ax=), caption)
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


def _display(obj: object, raw: bool = False) -> None:
    from IPython.display import display

    display(obj, raw=raw)


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _lines_html(text: str) -> str:
    """Escaped text with its line breaks as ``<br>``."""
    return "<br>".join(_escape(line) for line in str(text).splitlines())


def text_html(text: str, *, emphasis: bool = False) -> str:
    """Plain text as HTML paragraphs, escaped: blank lines separate paragraphs, line breaks
    stay (``<br>``); with ``emphasis`` each paragraph is in italics.

    >>> text_html("a\\n\\n<b>", emphasis=True)
    '<p><em>a</em></p><p><em>&lt;b&gt;</em></p>'
    """
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", str(text).replace("\r\n", "\n"))]
    wrap = ("<em>", "</em>") if emphasis else ("", "")
    return "".join(f"<p>{wrap[0]}{_lines_html(p)}{wrap[1]}</p>" for p in paragraphs if p.strip())


def list_html(items: Iterable[str]) -> str:
    """A bullet list, one escaped entry each (its line breaks kept); empty for no items.

    >>> list_html(["x & y", "[a](javascript:b)"])
    '<ul><li>x &amp; y</li><li>[a](javascript:b)</li></ul>'
    """
    entries = "".join(f"<li>{_lines_html(item)}</li>" for item in items)
    return f"<ul>{entries}</ul>" if entries else ""


def heading_html(text: str, level: int = 2) -> str:
    """An escaped heading ``<h1>`` … ``<h6>`` (line breaks become spaces)."""
    level = min(max(int(level), 1), 6)
    return f"<h{level}>{_escape(' '.join(str(text).split()))}</h{level}>"


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


def show_figure(fig: Figure, caption: str, *, dpi: int = 110) -> None:
    """Display a matplotlib figure as a PNG (embedded in the HTML) and its caption; close it."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    _display(Image(data=buffer.getvalue(), format="png"))
    _display(HTML(
        f'<p class="tk-caption" style="font-style:italic;color:#444;margin-top:0">{_escape(caption)}</p>'
    ))


def show_table(frame: pd.DataFrame, caption: str = "", *, precision: int = 2, lang: str = "de") -> None:
    """Display a DataFrame as a plain HTML table (no index), with a caption above.

    Decimals get ``precision`` places, with a decimal comma in German. Cells, column
    names and the caption are escaped.
    """
    from IPython.display import HTML

    def fmt(value: Cell) -> str:
        if isinstance(value, float):
            return "–" if math.isnan(value) else format_number(value, precision, lang)
        return str(value)

    table = frame.to_html(index=False, formatters=dict.fromkeys(frame.columns, fmt),
                          border=0, classes="tk-table", na_rep="–", escape=True)
    head = f'<p style="font-weight:bold;margin-bottom:0.3em">{_escape(caption)}</p>' if caption else ""
    _display(HTML(_TABLE_STYLE + head + table))


_TABLE_STYLE = (
    "<style>.tk-table td:first-child, .tk-table th:first-child {text-align: left;}"
    " .tk-table th {text-align: right;}</style>"
)


def show_report_header(report: Report) -> None:
    """Display the title, subtitle and the plain-words summary."""
    show_heading(report.title, 1)
    if report.subtitle:
        show_text(report.subtitle, emphasis=True)
    show_text(report.summary)


def show_section(report: Report, key: str) -> None:
    """Display one section of a report: heading, text, bullets, tables, captioned figures."""
    import matplotlib.pyplot as plt

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
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        draw(ax=ax)
        show_figure(fig, caption)


def show_key_figures(figures: Mapping[str, JSONValue]) -> None:
    """Display the key figures for the report runner (invisible in the HTML)."""
    _display({KEY_FIGURES_MIMETYPE: plain(figures)}, raw=True)


def format_number(value: float | None, digits: int = 1, lang: str = "de") -> str:
    """A number for prose: German decimal comma in German."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    out = f"{value:.{digits}f}"
    if out.lstrip("-").strip("0.") == "":  # -0.00 reads as a negative change: show 0.00
        out = out.lstrip("-")
    return out.replace(".", ",") if lang == "de" else out


def format_date(value: Cell) -> str:
    try:
        return f"{value:%d.%m.%Y}"
    except (TypeError, ValueError):
        return "–"
