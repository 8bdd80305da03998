"""Shared building blocks of the reports: the :class:`Report` and its :class:`Section` s,
display (headings, Markdown, captioned figures as embedded PNG, tables, key figures),
plain JSON key figures and number/date formatting for prose.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transferkit.keyfigures import KEY_FIGURES_MIMETYPE, plain

__all__ = [
    "KEY_FIGURES_MIMETYPE",
    "Report",
    "Section",
    "plain",
    "show_figure",
    "show_heading",
    "show_key_figures",
    "show_markdown",
    "show_report_header",
    "show_section",
    "show_table",
]


@dataclass
class Section:
    """One part of a report: a heading, an intro, tables and figures with captions."""

    key: str
    heading: str
    text: str = ""
    tables: list[tuple[Any, str]] = field(default_factory=list)  # (DataFrame, caption)
    figures: list[tuple[Callable[..., Any], str]] = field(default_factory=list)  # (draw(ax=), caption)
    empty: str = ""  # shown instead when there are no data


@dataclass
class Report:
    """A report's content in one language, ready to be shown."""

    title: str
    subtitle: str
    summary: str
    lang: str
    sections: dict[str, Section] = field(default_factory=dict)
    key_figures: dict[str, Any] = field(default_factory=dict)


def _display(obj: Any, raw: bool = False) -> None:
    from IPython.display import display

    display(obj, raw=raw)


def show_markdown(text: str) -> None:
    """Display Markdown text."""
    from IPython.display import Markdown

    _display(Markdown(text))


def show_heading(text: str, level: int = 2) -> None:
    """Display a heading."""
    show_markdown(f"{'#' * level} {text}")


def show_figure(fig: Any, caption: str, *, dpi: int = 110) -> None:
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


def show_table(frame: Any, caption: str = "", *, precision: int = 2, lang: str = "de") -> None:
    """Display a DataFrame as a plain HTML table (no index), with a caption above.

    Decimals get ``precision`` places, with a decimal comma in German.
    """
    from IPython.display import HTML

    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return "–" if math.isnan(value) else _num(value, precision, lang)
        return str(value)

    html = frame.to_html(index=False, formatters=dict.fromkeys(frame.columns, fmt),
                         border=0, classes="tk-table", na_rep="–", escape=True)
    head = f'<p style="font-weight:bold;margin-bottom:0.3em">{_escape(caption)}</p>' if caption else ""
    _display(HTML(_TABLE_STYLE + head + html))


_TABLE_STYLE = (
    "<style>.tk-table td:first-child, .tk-table th:first-child {text-align: left;}"
    " .tk-table th {text-align: right;}</style>"
)


def _escape(text: str) -> str:
    import html

    return html.escape(str(text), quote=True)


def show_report_header(report: Report) -> None:
    """Display the title, subtitle and the plain-words summary."""
    show_heading(report.title, 1)
    if report.subtitle:
        show_markdown(f"*{report.subtitle}*")
    show_markdown(report.summary)


def show_section(report: Report, key: str) -> None:
    """Display one section of a report: heading, text, tables, captioned figures."""
    import matplotlib.pyplot as plt

    section = report.sections.get(key)
    if section is None:
        return
    show_heading(section.heading)
    if section.text:
        show_markdown(section.text)
    if not (section.text or section.tables or section.figures) and section.empty:
        show_markdown(f"*{section.empty}*")
    for table, caption in section.tables:
        show_table(table, caption, lang=report.lang)
    for draw, caption in section.figures:
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        draw(ax=ax)
        show_figure(fig, caption)


def show_key_figures(figures: Mapping[str, Any]) -> None:
    """Display the key figures for the report runner (invisible in the HTML)."""
    _display({KEY_FIGURES_MIMETYPE: plain(figures)}, raw=True)


def _num(value: Any, digits: int = 1, lang: str = "de") -> str:
    """A number for prose: German decimal comma in German."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    out = f"{value:.{digits}f}"
    if out.lstrip("-").strip("0.") == "":  # -0.00 reads as a negative change: show 0.00
        out = out.lstrip("-")
    return out.replace(".", ",") if lang == "de" else out


def _date(value: Any) -> str:
    try:
        return f"{value:%d.%m.%Y}"
    except (TypeError, ValueError):
        return "–"


def _de_en(lang: str, de: str, en: str) -> str:
    return en if lang == "en" else de
