"""The reports' figures: functions that draw on a matplotlib ``ax`` (called as
``draw(ax=...)`` by :func:`~transferkit.reports.content.show_section`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from transferkit.i18n import has_text
from transferkit.i18n import text as text_of
from transferkit.reports.content.data import LOOP_RATINGS, SCALES, question_range
from transferkit.reports.content.texts import format_name, label, scale_name, text, topic_name

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__: list[str] = []  # drawing helpers, used by the report modules only

#: The question whose scale is the value axis of the self-assessment charts.
SELF_ASSESSMENT = ("competence_self_assessment", SCALES["digital"][0])
#: The template whose rating questions give the needs portfolio's scale.
NEEDS_TEMPLATE = "needs_analysis"

#: One colour per scale group, the same in every report.
SCALE_COLOURS = {"digital": "#4C72B0", "soft": "#DD8452", "sustainability": "#55A868"}


def _plain(text: object) -> str:
    """A label drawn as written: an unescaped ``$`` would start matplotlib's mathtext
    (TeX-like markup, and an error that stops the report for an odd goal text)."""
    return str(text).replace("$", r"\$")


def _scale_of(questions: tuple[str, ...]) -> tuple[float, float]:
    """The range spanning the scales of ``questions`` of one template (``(template, id, …)``);
    with no id, of all its rating questions."""
    template, *ids = questions
    if not ids:
        from transferkit.templates import load_template

        ids = [q.id for q in load_template(template).all_questions() if getattr(q, "points", None)]
    ranges = [question_range(template, q) for q in ids]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def needs_scale() -> tuple[float, float]:
    """The scale of the needs template's ratings (importance and competence)."""
    return _scale_of((NEEDS_TEMPLATE,))


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
    one per scale side by side, on the self-assessment items' scale."""
    from transferkit.reports.plots import legend_above, plot_prepost

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
            mean_color=SCALE_COLOURS[scale],
            legend=scale_name(scale, lang),
            color="#bbbbbb",
            alpha=1.0,
            linewidth=0.7,
            zorder=1,
        )
    ticks = [k * 2.5 + d for k in range(len(SCALES)) for d in (0, 1)]
    ax.set_xticks(ticks, [text(t, lang) for _ in SCALES for t in ("pre", "post")])
    ax.margins(x=0.05)
    ax.set_ylim(*_scale_of(SELF_ASSESSMENT))
    ax.set_ylabel(text("self_assessment_1_5", lang))
    legend_above(ax)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_gas(ax: Axes, goals: pd.DataFrame, lang: str) -> Axes:
    """Each goal's attainment at the start and the end; goal texts wrapped, never cut
    without an ellipsis (:func:`wrap_label`), the figure as tall as the goals need."""
    from transferkit.reports.plots import legend_above

    labels = [_plain(wrap_label(str(g))) for g in goals["goal"]]
    lines = sum(label_.count("\n") + 1 for label_ in labels)
    figure = ax.get_figure(root=True)
    if figure is not None:  # as tall as the goals need
        height = 1.4 + 0.2 * lines + 0.15 * len(labels)
        figure.set_figheight(max(figure.get_figheight(), height))
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
    ax.set_yticks(list(y), labels, fontsize="small")
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_xlim(-2.5, 2.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(text("attainment_2_2", lang))
    legend_above(ax)
    return ax


def wrap_label(label: str, width: int = 32, max_lines: int = 3) -> str:
    """``label`` broken into lines of at most ``width`` characters (at spaces; a longer
    word is split); beyond ``max_lines`` the last line ends with an ellipsis ``…``.

    >>> wrap_label("Anteil digital dokumentierter Schichtübergaben", 20)
    'Anteil digital\\ndokumentierter\\nSchichtübergaben'
    >>> wrap_label("eins zwei drei vier fünf sechs", 9, 2)
    'eins zwei\\ndrei vie…'
    """
    import textwrap

    lines = textwrap.wrap(" ".join(label.split()), width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: width - 1].rstrip() + "…"]
    return "\n".join(lines)


def draw_trends(ax: Axes, trends: pd.DataFrame, lang: str) -> Axes:
    """The mean rating of each loop phase, loop by loop, on the ratings' scale."""
    from transferkit.reports.plots import legend_above

    for metric, part in trends.groupby("metric", sort=False):
        key = f"rating_{metric}"
        name = text(key, lang) if has_text(f"report.{key}") else None
        ax.plot(part["loop"].astype(int), part["mean"], marker="o", label=name)
    ax.set_xticks(sorted({int(v) for v in trends["loop"]}))
    ax.set_ylim(*_scale_of(("reflection_loop", *LOOP_RATINGS.values())))
    ax.set_xlabel(text("reflection_loop", lang))
    ax.set_ylabel(text("rating_1_5", lang))
    legend_above(ax, ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_cost_bars(ax: Axes, costs: pd.DataFrame, benefits: pd.DataFrame, lang: str) -> Axes:
    """Costs and benefits as two stacked bars, each item named on its part."""
    stacks = (
        (costs, "costs", "cost_item", "#C44E52"),
        (benefits, "benefits", "benefit_item", "#55A868"),
    )
    for x, (items, name, item_column, color) in enumerate(stacks):
        bottom = 0.0
        for _, row in items.iterrows():
            amount = row["amount_eur"]
            ax.bar(text(name, lang), amount, bottom=bottom, color=color, edgecolor="white")
            ax.text(
                x,
                bottom + amount / 2,
                _plain(label(row[item_column], lang)),
                ha="center",
                va="center",
                fontsize=7,
                color="white",
            )
            bottom += amount
    ax.set_ylabel("EUR")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_satisfaction_trends(ax: Axes, ratings: pd.DataFrame, lang: str) -> Axes:
    """The shared loop-trend plot of loop satisfaction, one line per pilot."""
    from transferkit.reports.plots import plot_loop_trends

    scale = _scale_of(("reflection_loop", "loop_satisfaction"))
    ax = plot_loop_trends(ratings, "loop_satisfaction", ylim=scale, ax=ax, lang=lang)
    ax.set_ylabel(text("satisfaction_1_5", lang))
    return ax


def draw_forest(
    ax: Axes, effects: pd.DataFrame, lang: str, pooled: pd.DataFrame | None = None
) -> Axes:
    """The shared forest plot (:func:`~transferkit.reports.plots.plot_forest`), one series
    per scale over the same rows of pilots; below them, per scale, the pooled estimate
    (``pooled``: rows of :func:`~transferkit.reports.content.pooled.pooled_effects`) as a
    diamond with its prediction interval."""
    from transferkit.reports.plots import legend_above, plot_diamond, plot_forest

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
            color=SCALE_COLOURS[scale],
            capsize=2,
        )
    labels = [_plain(p) for p in pilots]
    if pooled is not None and len(pooled):
        row = len(pilots) + 0.5
        for k, scale in enumerate(SCALES):
            found = pooled[pooled["scale"] == scale]
            if found.empty:
                continue
            r = found.iloc[0]
            plot_diamond(
                r["estimate"],
                r["ci95_low"],
                r["ci95_high"],
                row + (k - 1) * 0.25,
                pi_low=r["pi95_low"],
                pi_high=r["pi95_high"],
                height=0.2,
                ax=ax,
                color=SCALE_COLOURS[scale],
            )
        ax.axhline(len(pilots) - 0.25, color="#bbbbbb", linewidth=0.8)
        ax.set_yticks([*range(len(pilots)), row], [*labels, text_of("network.pooled_row", lang)])
        ax.set_ylim(row + 0.6, -0.6)
    else:
        ax.set_yticks(range(len(pilots)), labels)
    ax.set_xlabel(text("change_points", lang))
    legend_above(ax)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def draw_portfolio(ax: Axes, needs: pd.DataFrame, lang: str) -> Axes:
    """The shared needs portfolio: numbered topics (their priority rank) with a key of
    readable names, on the needs questions' scale."""
    from transferkit.reports.plots import plot_needs_portfolio

    names = {str(t): _plain(topic_name(str(t), lang)) for t in needs["topic"].unique()}
    scale = needs_scale()
    drawn: Axes = plot_needs_portfolio(
        needs, midpoint=(scale[0] + scale[1]) / 2, scale=scale, names=names, ax=ax, lang=lang
    )
    return drawn


def draw_format_bars(ax: Axes, formats: pd.DataFrame, lang: str) -> Axes:
    ordered = formats.sort_values("pct")
    ax.barh(
        [_plain(format_name(f, lang)) for f in ordered["format"]], ordered["pct"], color="#4C72B0"
    )
    ax.set_xlabel(text("share_of_respondents", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
