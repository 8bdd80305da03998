"""The tables behind the reports' figures: what each figure plots, as tidy DataFrames.

A figure of a report is a ``draw(ax=...)`` function (:mod:`.figures`, usually a
:func:`functools.partial` over the report's data). :func:`figure_tables` gives the
table(s) that figure draws: the same numbers, computed the way the figure computes them
(``needs_priorities`` for the portfolio, ``gas_summary`` for GAS T-scores,
``loop_trends`` for loop means), with codes and their readable names side by side.

The tables are what the figure shows, never the microdata behind it: the needs portfolio
gives a topic's mean ratings, not each person's answers; the slope chart (one line per
person) numbers the persons 1, 2, … instead of their codes, and names no company.
:func:`show_figure_data` displays them under the figure
(:data:`~transferkit.reports.figuredata.FIGURE_DATA_MIMETYPE`) for the report runner,
which writes them as CSV and XLSX beside the report (:mod:`transferkit.reports.tables`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from transferkit import pages
from transferkit.reports.content.texts import format_name, label, scale_name, text, topic_name
from transferkit.reports.figuredata import (
    FIGURE_DATA_MIMETYPE,
    FigureTable,
    encode_table,
    figure_data,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["figure_tables", "show_figure_data"]

Builder = Callable[[Mapping[str, Any], str], "list[tuple[str, pd.DataFrame]]"]


def _bars(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    series = values["series"]
    name = str(series.name or "value")
    index = str(series.index.name or "category")
    return [("", series.rename(name).rename_axis(index).reset_index())]


def _person_numbers(codes: pd.Series) -> dict[str, int]:
    """Codes to 1, 2, … (in sorted order of the codes, which are random)."""
    return {code: k for k, code in enumerate(sorted({str(c) for c in codes.dropna()}), start=1)}


def _slopes(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    import pandas as pd

    from transferkit.reports.content.data import SCALES

    long = values["long"]
    numbers = _person_numbers(long["participant"])
    persons, means = [], []
    for scale in SCALES:
        part = long[long["scale"] == scale]
        wide = part.pivot_table(
            index="participant", columns="time", values="score", aggfunc="first"
        ).dropna()
        if not {"pre", "post"} <= set(wide.columns):
            continue
        wide = wide[["pre", "post"]].rename_axis(columns=None).reset_index()
        wide.insert(0, "person", wide.pop("participant").map(lambda c: numbers[str(c)]))
        wide.insert(0, "scale_name", scale_name(scale, lang))
        wide.insert(0, "scale", scale)
        persons.append(wide.sort_values("person"))
        means.append(
            {
                "scale": scale,
                "scale_name": scale_name(scale, lang),
                "n": len(wide),
                "pre": float(wide["pre"].mean()),
                "post": float(wide["post"].mean()),
            }
        )
    frame = pd.concat(persons, ignore_index=True) if persons else pd.DataFrame()
    return [("persons", frame), ("means", pd.DataFrame(means))]


def _gas_goals(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    goals = values["goals"]
    columns = [c for c in ("pilot_id", "goal", "weight", "baseline", "follow_up")]
    frame = goals[[c for c in columns if c in goals.columns]].reset_index(drop=True)
    # goals numbered 1, 2, … in the figure's order: goal ids carry the participant's code
    frame.insert(1 if "pilot_id" in frame.columns else 0, "goal_no", range(1, len(frame) + 1))
    return [("", frame)]


def _trends(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    from transferkit.i18n import has_text

    trends = values["trends"].reset_index(drop=True)
    keep = [c for c in ("pilot_id", "loop", "metric", "n", "mean", "sd") if c in trends.columns]
    frame = trends[keep].copy()
    names = [
        text(f"rating_{m}", lang) if has_text(f"report.rating_{m}") else str(m)
        for m in frame["metric"]
    ]  # the legend of the figure
    frame.insert(keep.index("metric") + 1, "metric_name", names)
    return [("", frame)]


def _costs(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    import pandas as pd

    parts = []
    for side, frame, item in (
        ("costs", values["costs"], "cost_item"),
        ("benefits", values["benefits"], "benefit_item"),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "side": side,
                    "side_name": text(side, lang),
                    "item": frame[item].astype(str).to_list(),
                    "item_name": [label(i, lang) for i in frame[item]],
                    "amount_eur": frame["amount_eur"].astype(float).to_list(),
                }
            )
        )
    return [("", pd.concat(parts, ignore_index=True))]


def _satisfaction(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    from transferkit.evaluation import loop_trends

    trends = loop_trends(values["ratings"], "loop_satisfaction", pilot="pilot_id", loop="loop")
    keep = [c for c in ("pilot_id", "loop", "n", "mean", "sd") if c in trends.columns]
    return [("", trends[keep].reset_index(drop=True))]


def _forest(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    effects = values["effects"]
    keep = ["scale", "pilot_id", "n", "mean_diff", "ci95_low", "ci95_high"]
    frame = effects[[c for c in keep if c in effects.columns]].reset_index(drop=True)
    frame.insert(1, "scale_name", [scale_name(str(s), lang) for s in frame["scale"]])
    return [("", frame)]


def _shared_gas(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    from transferkit.evaluation import gas_summary

    goals = values["args"][0]
    options = values["kwargs"]
    summary = gas_summary(goals, options.get("by", "pilot_id"), rho=options.get("rho", 0.3))
    return [("", summary.reset_index(drop=True))]


def _portfolio(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    from transferkit.evaluation import needs_priorities

    needs = values["needs"]
    area = "area" if "area" in needs.columns else None
    table = needs_priorities(needs, by=None, area=area, midpoint=3.0).reset_index(drop=True)
    table = table.drop(columns=[c for c in ("scope",) if c in table.columns])
    table.insert(
        list(table.columns).index("topic") + 1,
        "topic_name",
        [topic_name(str(t), lang) for t in table["topic"]],
    )
    return [("", table)]


def _formats(values: Mapping[str, Any], lang: str) -> list[tuple[str, pd.DataFrame]]:
    formats = values["formats"].reset_index(drop=True)
    frame = formats[[c for c in ("format", "n", "pct") if c in formats.columns]].copy()
    frame.insert(1, "format_name", [format_name(str(f), lang) for f in frame["format"]])
    return [("", frame)]


#: The table builder of each drawing function of :mod:`.figures` (by name).
_BUILDERS: dict[str, Builder] = {
    "draw_bars": _bars,
    "draw_slopes": _slopes,
    "draw_gas": _gas_goals,
    "draw_trends": _trends,
    "draw_cost_bars": _costs,
    "draw_satisfaction_trends": _satisfaction,
    "draw_forest": _forest,
    "draw_portfolio": _portfolio,
    "draw_format_bars": _formats,
    "draw_shared_plot:plot_gas": _shared_gas,
}


def _bound(draw: Callable[..., object]) -> tuple[str, dict[str, Any]]:
    """The drawing function's name and the values bound to its parameters."""
    if not isinstance(draw, partial):
        return getattr(draw, "__name__", ""), {}
    func = draw.func
    values = dict(inspect.signature(func).bind_partial(*draw.args, **draw.keywords).arguments)
    name = getattr(func, "__name__", "")
    if name == "draw_shared_plot":
        name = f"{name}:{values.get('name')}"
    return name, values


def figure_tables(draw: Callable[..., object], lang: str) -> list[tuple[str, pd.DataFrame]]:
    """The table(s) behind the figure ``draw`` draws: ``(name, DataFrame)`` pairs, the
    name ``""`` for a figure with one table; ``[]`` for a figure without a builder.

    >>> import pandas as pd
    >>> from transferkit.reports.content.figures import draw_format_bars
    >>> formats = pd.DataFrame({"format": ["blended"], "n": [3], "pct": [50.0]})
    >>> figure_tables(partial(draw_format_bars, formats=formats, lang="en"), "en")[0][1]
        format       format_name  n   pct
    0  blended  Blended learning  3  50.0
    """
    name, values = _bound(draw)
    builder = _BUILDERS.get(name)
    return [] if builder is None else builder(values, lang)


_FOLDER = "templates/exports"
_FIGURES = [0]  # a number per figure of the kernel, pairing the data with its marker


def show_figure_data(draw: Callable[..., object], caption: str, lang: str) -> None:
    """Display the tables behind a figure for the report runner: JSON under
    :data:`~transferkit.reports.figuredata.FIGURE_DATA_MIMETYPE` and, in the HTML, an
    empty marker paragraph where the runner puts the links to the CSV and XLSX files."""
    from IPython.display import display

    _FIGURES[0] += 1
    key = _FIGURES[0]
    tables: list[FigureTable] = [encode_table(n, t) for n, t in figure_tables(draw, lang)]
    marker = pages.render("transferkit.reports", "marker.html.j2", folder=_FOLDER, key=key)
    display(
        {FIGURE_DATA_MIMETYPE: figure_data(key, caption, tables), "text/html": marker},
        raw=True,
    )
