"""The reports' figures: functions that draw on a matplotlib ``ax`` (called as
``draw(ax=...)`` by :func:`~transferkit.reports.content.show_section`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from transferkit.i18n import has_text
from transferkit.reports.content.data import SCALES
from transferkit.reports.content.texts import format_name, label, scale_name, text, topic_name

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__: list[str] = []  # only private drawing helpers, used by the report modules


def _plain(text: object) -> str:
    """A label drawn as written: an unescaped ``$`` would start matplotlib's mathtext
    (TeX-like markup, and an error that stops the report for an odd goal text)."""
    return str(text).replace("$", r"\$")


def draw_shared_plot(name: str, *args: Any, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Call ``transferkit.reports.plots.<name>`` on ``ax`` (the report's figures use the shared plots)."""
    from transferkit.reports import plots

    drawn: Axes = getattr(plots, name)(*args, ax=ax, **kwargs)
    return drawn


def draw_bars(ax: Axes, series: pd.Series, xlabel: str, ylabel: str) -> Axes:
    ax.bar([str(i) for i in series.index], series.to_numpy(), color="#4C72B0")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_slopes(ax: Axes, long: pd.DataFrame, lang: str) -> Axes:
    """The shared pre/post slope chart (:func:`~transferkit.reports.plots.plot_prepost`),
    one per scale side by side."""
    from transferkit.reports.plots import plot_prepost

    colours = {"digital": "#4C72B0", "soft": "#DD8452", "sustainability": "#55A868"}
    for k, scale in enumerate(SCALES):
        part = long[long["scale"] == scale]
        wide = part.pivot_table(
            index="participant", columns="time", values="score", aggfunc="first"
        ).dropna()
        if not {"pre", "post"} <= set(wide.columns):
            continue
        plot_prepost(
            wide,
            "pre",
            "post",
            ax=ax,
            lang=lang,
            position=k * 2.5,
            mean_color=colours[scale],
            legend=scale_name(scale, lang),
            color="#bbbbbb",
            alpha=1.0,
            linewidth=0.7,
            zorder=1,
        )
    ticks = [k * 2.5 + d for k in range(len(SCALES)) for d in (0, 1)]
    ax.set_xticks(ticks, [text(t, lang) for _ in SCALES for t in ("pre", "post")])
    ax.margins(x=0.05)
    ax.set_ylim(1, 5)
    ax.set_ylabel(text("self_assessment_1_5", lang))
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_gas(ax: Axes, goals: pd.DataFrame, lang: str) -> Axes:
    labels = [_plain(str(g)[:45]) for g in goals["goal"]]
    y = range(len(goals))
    ax.scatter(
        goals["baseline"],
        y,
        facecolors="none",
        edgecolors="#4C72B0",
        s=70,
        label=text("start_2", lang),
    )
    follow = goals["follow_up"].astype("Float64").to_numpy(dtype="float64", na_value=float("nan"))
    ax.scatter(follow, y, color="#4C72B0", s=70, label=text("end_2", lang))
    for yy, (b, f) in enumerate(zip(goals["baseline"], follow, strict=True)):
        if not math.isnan(f):
            ax.plot([b, f], [yy, yy], color="#4C72B0", lw=1)
    ax.axvline(0, color="#999", ls="--", lw=1)
    ax.set_yticks(list(y), labels)
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_xlim(-2.5, 2.5)
    ax.invert_yaxis()
    ax.set_xlabel(text("attainment_2_2", lang))
    ax.legend(frameon=False, loc="lower right")
    return ax


def draw_trends(ax: Axes, trends: pd.DataFrame, lang: str) -> Axes:
    for metric, part in trends.groupby("metric", sort=False):
        key = f"rating_{metric}"
        name = text(key, lang) if has_text(f"report.{key}") else None
        ax.plot(part["loop"].astype(int), part["mean"], marker="o", label=name)
    ax.set_xticks(sorted({int(v) for v in trends["loop"]}))
    ax.set_ylim(1, 5)
    ax.set_xlabel(text("reflection_loop", lang))
    ax.set_ylabel(text("rating_1_5", lang))
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_cost_bars(ax: Axes, costs: pd.DataFrame, benefits: pd.DataFrame, lang: str) -> Axes:
    bottom = 0.0
    for _, row in costs.iterrows():
        ax.bar(
            text("costs", lang),
            row["amount_eur"],
            bottom=bottom,
            color="#C44E52",
            edgecolor="white",
        )
        ax.text(
            0,
            bottom + row["amount_eur"] / 2,
            _plain(label(row["cost_item"], lang)),
            ha="center",
            va="center",
            fontsize=7,
            color="white",
        )
        bottom += row["amount_eur"]
    bottom = 0.0
    for _, row in benefits.iterrows():
        ax.bar(
            text("benefits", lang),
            row["amount_eur"],
            bottom=bottom,
            color="#55A868",
            edgecolor="white",
        )
        ax.text(
            1,
            bottom + row["amount_eur"] / 2,
            _plain(label(row["benefit_item"], lang)),
            ha="center",
            va="center",
            fontsize=7,
            color="white",
        )
        bottom += row["amount_eur"]
    ax.set_ylabel("EUR")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_satisfaction_trends(ax: Axes, ratings: pd.DataFrame, lang: str) -> Axes:
    """The shared loop-trend plot of loop satisfaction, one line per pilot."""
    from transferkit.reports.plots import plot_loop_trends

    ax = plot_loop_trends(ratings, "loop_satisfaction", ax=ax, lang=lang)
    ax.set_ylabel(text("satisfaction_1_5", lang))
    return ax


def draw_forest(ax: Axes, effects: pd.DataFrame, lang: str) -> Axes:
    """The shared forest plot (:func:`~transferkit.reports.plots.plot_forest`), one series
    per scale over the same rows of pilots."""
    from transferkit.reports.plots import plot_forest

    colours = {"digital": "#4C72B0", "soft": "#DD8452", "sustainability": "#55A868"}
    pilots = sorted(effects["pilot_id"].unique())
    for k, scale in enumerate(SCALES):
        part = effects[effects["scale"] == scale].set_index("pilot_id").reindex(pilots)
        plot_forest(
            part.reset_index(),
            ax=ax,
            lang=lang,
            shift=(k - 1) * 0.25,
            legend=scale_name(scale, lang),
            fmt="o",
            color=colours[scale],
            capsize=2,
        )
    ax.set_yticks(range(len(pilots)), [_plain(p) for p in pilots])
    ax.set_xlabel(text("change_points", lang))
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_portfolio(ax: Axes, needs: pd.DataFrame, lang: str) -> Axes:
    """The shared needs portfolio, with readable topic names instead of codes."""
    from transferkit.reports.plots import plot_needs_portfolio

    ax = plot_needs_portfolio(needs, ax=ax, lang=lang)
    for label_ in ax.texts:
        label_.set_text(_plain(topic_name(label_.get_text(), lang)))
    return ax


def draw_format_bars(ax: Axes, formats: pd.DataFrame, lang: str) -> Axes:
    ordered = formats.sort_values("pct")
    ax.barh(
        [_plain(format_name(f, lang)) for f in ordered["format"]], ordered["pct"], color="#4C72B0"
    )
    ax.set_xlabel(text("share_of_respondents", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
