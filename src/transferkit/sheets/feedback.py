"""What a participant sees right after submitting a sheet (the template's ``feedback``).

Kinds (:data:`transferkit.templates.feedback.FEEDBACK_KINDS`): ``top_priorities``
(needs analysis: own largest gaps between importance and competence, as a
chart), ``profile`` (self-assessment: mean per scale group, named in words,
reverse-keyed items turned, on the range of the items' scale), ``gas_summary``
(own GAS goals with the baseline level in words, and the follow-up if rated),
``summary`` / ``action_summary`` / ``vote_results`` (own answers in words:
option labels, points per option, action items with their status).

What is shown is computed once, by :func:`feedback_content` (a
:class:`FeedbackContent`: kind, title, rows of label / text / bar value, the
chart's axis), and drawn once, by :func:`feedback_html` (plain HTML with CSS
bars, :func:`bars_html` and :data:`BAR_CSS`): the web sheet sends it as it
is, :func:`feedback_widget` wraps it for the ipywidgets sheet. Neither needs
matplotlib, so a participant's kernel does not load it after submitting.

Examples
--------
>>> top_priorities({"imp_a": 5, "comp_a": 2, "imp_b": 4, "comp_b": 4}, top=1)
[('a', 5, 2, 3)]
>>> from transferkit.templates import load_template
>>> t = load_template("needs_analysis")
>>> content = feedback_content(t, {"imp_ai_use": 5, "comp_ai_use": 1}, lang="en")
>>> content.title, content.rows[0].label, content.rows[0].value, content.scale_max
('Your top learning priorities', 'using artificial intelligence (AI) well', 4.0, 4.0)
>>> 'class="tk-bar"' in feedback_html(content)
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from markupsafe import Markup

from transferkit.i18n import text
from transferkit.sheets.answer_words import answer_in_words, gas_goal_words, number_words
from transferkit.templates.feedback import (
    FeedbackBase,
    GasSummaryFeedback,
    ProfileFeedback,
    TopPrioritiesFeedback,
    scale_group_label,
)
from transferkit.vocabulary import TOPIC_NAMES

if TYPE_CHECKING:
    import ipywidgets as w

    from transferkit.store.values import Answers
    from transferkit.templates import LikertQuestion, Question, Template

__all__ = [
    "BAR_CSS",
    "FeedbackContent",
    "FeedbackRow",
    "bars_html",
    "feedback_content",
    "feedback_html",
    "feedback_widget",
    "profile_scores",
    "top_priorities",
]


@dataclass(frozen=True)
class FeedbackRow:
    """One line of feedback: a label, the text after it and, for charts, the bar's value."""

    label: str
    text: str
    value: float | None = None


@dataclass(frozen=True)
class FeedbackContent:
    """What the feedback shows, independent of how it is drawn.

    ``chart_label`` is the axis label of the bar chart (``None``: a plain list);
    the bars run from ``scale_min`` (0 unless the scale starts elsewhere) to
    ``scale_max``. ``ordered`` lists are numbered; numbers are written for ``lang``.
    """

    kind: str
    title: str
    rows: tuple[FeedbackRow, ...]
    ordered: bool = False
    chart_label: str | None = None
    scale_max: float | None = None
    scale_min: float = 0.0
    lang: str = "de"

    @property
    def has_chart(self) -> bool:
        """Whether there is a bar chart (a chart kind with at least one row)."""
        return self.chart_label is not None and bool(self.rows)


def top_priorities(
    answers: Answers,
    *,
    top: int = 3,
    importance_prefix: str = "imp_",
    competence_prefix: str = "comp_",
) -> list[tuple[str, int, int, int]]:
    """``(topic, importance, competence, gap)`` with the largest gaps first (ties: importance)."""
    rows = []
    for key, importance in answers.items():
        if not key.startswith(importance_prefix):
            continue
        topic = key[len(importance_prefix) :]
        competence = answers.get(competence_prefix + topic)
        if not isinstance(importance, int | float) or not isinstance(competence, int | float):
            continue
        rows.append((topic, int(importance), int(competence), int(importance) - int(competence)))
    rows.sort(key=lambda r: (-r[3], -r[1], r[0]))
    return rows[:top]


def profile_scores(
    template: Template, answers: Answers, group_by: str = "scale_group"
) -> dict[str, float]:
    """Mean answer per scale (``scale_group`` or ``area``), reverse-keyed Likert items turned."""
    sums: dict[str, list[float]] = {}
    for q in template.all_questions():
        group = getattr(q, group_by, None)
        value = answers.get(q.id)
        if group is None or q.type != "likert" or not isinstance(value, int | float):
            continue
        points = cast("LikertQuestion", q).point_values()
        score = float(value)
        if getattr(q, "reverse", False):
            score = min(points) + max(points) - score
        sums.setdefault(group, []).append(score)
    return {k: round(sum(v) / len(v), 2) for k, v in sums.items()}


# --------------------------------------------------------------------------- what is shown
def _spec(template: Template, phase: str | None) -> FeedbackBase | None:
    spec = template.feedback
    if phase is not None:
        spec = getattr(template.phase(phase), "feedback", None) or spec
    return spec


def feedback_content(
    template: Template,
    answers: Answers,
    *,
    phase: str | None = None,
    lang: str = "de",
    idea_texts: Mapping[str, str] | None = None,
) -> FeedbackContent | None:
    """What the template's feedback shows for ``answers``, or ``None`` if it defines none.

    Answers are shown in words (:func:`transferkit.sheets.answer_words.answer_in_words`;
    ``idea_texts``, idea id → text, names the ideas of a dot vote),
    scale groups by their names (:func:`transferkit.templates.feedback.scale_group_label`),
    charts on the range of their questions' scale.
    """
    spec = _spec(template, phase)
    if spec is None:
        return None
    if isinstance(spec, TopPrioritiesFeedback):
        importance_prefix = spec.importance_prefix
        rows = top_priorities(
            answers,
            top=spec.top,
            importance_prefix=importance_prefix,
            competence_prefix=spec.competence_prefix,
        )
        return FeedbackContent(
            kind=spec.kind,
            title=text("feedback.top_priorities", lang),
            rows=tuple(
                FeedbackRow(
                    _topic_label(template, topic, lang, importance_prefix),
                    text("feedback.priority", lang, importance=imp, competence=comp, gap=gap),
                    float(max(gap, 0)),
                )
                for topic, imp, comp, gap in rows
            ),
            ordered=True,
            chart_label=text("feedback.gap_axis", lang),
            scale_max=_likert_range(template, importance_prefix),
            lang=lang,
        )
    if isinstance(spec, ProfileFeedback):
        return _profile(template, answers, spec, lang)
    questions = template.all_questions(phase) if phase is not None else template.all_questions()
    if isinstance(spec, GasSummaryFeedback):
        return _gas_summary(questions, answers, spec, lang)
    by_id = {q.id: q for q in questions}
    return FeedbackContent(
        kind=spec.kind,
        title=text("feedback.summary", lang),
        rows=tuple(
            FeedbackRow(
                _label_of(template, k, lang),
                answer_in_words(by_id.get(k), v, lang, idea_texts=idea_texts),
            )
            for k, v in answers.items()
        ),
        lang=lang,
    )


def _profile(
    template: Template, answers: Answers, spec: ProfileFeedback, lang: str
) -> FeedbackContent:
    """The mean per scale group, each on the range of its items (1–5 for 1–5 Likert items)."""
    scores = profile_scores(template, answers, spec.group_by)
    wanted = spec.scales or list(scores)
    ranges: dict[str, tuple[float, float]] = {}
    for q in template.all_questions():
        group = getattr(q, spec.group_by, None)
        if q.type == "likert" and group is not None:
            points = cast("LikertQuestion", q).point_values()
            low, high = ranges.get(group, (min(points), max(points)))
            ranges[group] = (min(low, min(points)), max(high, max(points)))
    rows = []
    for name in [k for k in wanted if k in scores]:
        low, high = ranges[name]
        shown = round(scores[name], 1)  # the same number in the list and on the bar
        mean = text(
            "feedback.profile_value",
            lang,
            mean=number_words(shown, lang),
            min=number_words(low, lang),
            max=number_words(high, lang),
        )
        rows.append(FeedbackRow(scale_group_label(template, name, lang), mean, shown))
    lows = [ranges[k][0] for k in ranges]
    highs = [ranges[k][1] for k in ranges]
    return FeedbackContent(
        kind=spec.kind,
        title=text("feedback.profile", lang),
        rows=tuple(rows),
        chart_label=text("feedback.mean", lang),
        scale_max=float(max(highs, default=5)),
        scale_min=float(min(lows, default=1)),
        lang=lang,
    )


def _gas_summary(
    questions: Sequence[Question], answers: Answers, spec: GasSummaryFeedback, lang: str
) -> FeedbackContent:
    """One row per GAS goal: the goal, its baseline level in words and the follow-up if rated."""
    rows = []
    for q in questions:
        if q.type != "gas_goal" or (spec.question is not None and q.id != spec.question):
            continue
        goals = answers.get(q.id)
        for goal in goals if isinstance(goals, list) else []:
            if isinstance(goal, dict):
                name = str(goal.get("goal") or "").strip() or "–"
                rows.append(FeedbackRow(name, gas_goal_words(goal, lang)))
    return FeedbackContent(
        kind=spec.kind,
        title=text("feedback.gas_summary", lang),
        rows=tuple(rows),
        ordered=True,
        lang=lang,
    )


def _likert_range(template: Template, prefix: str) -> float:
    """The largest possible gap: the widest point range of the ``prefix`` Likert items (4 for 1–5)."""
    spans = [
        max(points) - min(points)
        for q in template.all_questions()
        if q.type == "likert" and q.id.startswith(prefix)
        for points in [cast("LikertQuestion", q).point_values()]
    ]
    return float(max(spans, default=4))


def _label_of(template: Template, qid: str, lang: str) -> str:
    try:
        return str(template.question(qid).label.get(lang))
    except KeyError:
        return qid


def _topic_label(template: Template, topic: str, lang: str, prefix: str = "imp_") -> str:
    """The topic's name (:data:`transferkit.vocabulary.TOPIC_NAMES`); a topic of a custom
    template that the vocabulary does not know: its importance question, else its id in words."""
    name = TOPIC_NAMES[lang].get(topic)
    if name is None:
        name = _label_of(template, prefix + topic, lang)
    return name if name != prefix + topic else topic.replace("_", " ")


# --------------------------------------------------------------------------- drawn as HTML
def _macros() -> Any:
    """The macros of ``templates/feedback.html.j2`` (each returns escaped markup)."""
    from transferkit.pages import template

    return template("transferkit.sheets", "feedback.html.j2").module


def _number(value: float, lang: str = "en") -> str:
    return f"{value:g}".replace(".", ",") if lang == "de" else f"{value:g}"


#: The style of :func:`bars_html` charts: in the web sheet's and the Voilà pages' style sheets.
BAR_CSS = """
.tk-chart { margin: 8px 0; }
.tk-bar-row { display: grid; grid-template-columns: minmax(0, 1fr) 2.5em; align-items: center; column-gap: 8px; margin: 8px 0; }
.tk-bar-label { grid-column: 1 / -1; font-size: 0.92em; line-height: 1.25; overflow-wrap: break-word; hyphens: auto; }
.tk-bar-track { background: #e8f5e9; border-radius: 3px; height: 1.1em; overflow: hidden; }
.tk-bar { background: #2e7d32; height: 100%; }
.tk-bar-value { font-weight: 600; text-align: right; }
.tk-chart-axis { color: #555; font-size: 0.85em; }
@media (min-width: 600px) {
  .tk-bar-row { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr) 2.5em; }
  .tk-bar-label { grid-column: auto; }
}
"""


def bars_html(
    bars: Sequence[tuple[str, float]],
    *,
    top: float | None = None,
    axis: str = "",
    bottom: float = 0.0,
    lang: str = "en",
) -> str:
    """A horizontal bar chart as HTML (``tk-chart``), drawn by :data:`BAR_CSS`.

    Each bar is ``(value - bottom) / (top - bottom)`` wide (``top``: the scale's
    maximum, else the largest value; ``bottom``: where the scale starts, 0 unless
    given; values below it are drawn as 0, their number is shown); the axis names
    the range ``bottom–top``; numbers with a decimal comma for ``lang="de"``;
    labels are escaped. Sharp at any size, on a phone as on a projector.

    >>> bars_html([("Lernpaten", 3), ("Kanban", 1)], axis="Punkte").count('class="tk-bar-row"')
    2
    """
    top = top or max((value for _label, value in bars), default=0.0) or 1.0
    span = top - bottom if top > bottom else 1.0
    rows = [
        {
            "name": name,
            "width": min(100.0, max(0.0, 100.0 * (value - bottom) / span)),
            "value": _number(value, lang),
        }
        for name, value in bars
    ]
    scale = f"{_number(bottom, lang)}–{_number(top, lang)}"
    return str(_macros().bars(rows, axis, scale))


def feedback_html(content: FeedbackContent) -> str:
    """The feedback as HTML (class ``tk-feedback``): its list and, for charts, :func:`bars_html`.

    Everything from answers and templates is escaped.
    """
    chart = ""
    if content.has_chart:
        bars = [(row.label, row.value or 0.0) for row in content.rows]
        chart = bars_html(
            bars,
            top=content.scale_max,
            axis=content.chart_label or "",
            bottom=content.scale_min,
            lang=content.lang,
        )
    kind = re.sub(r"[^A-Za-z0-9_-]", "_", content.kind)
    bold = content.chart_label is None  # a summary: labels in bold
    macros = _macros()
    return str(
        macros.feedback(kind, content.title, content.rows, bold, content.ordered, Markup(chart))
    )


def feedback_widget(
    template: Template, answers: Answers, *, phase: str | None = None, lang: str = "de"
) -> w.HTML | None:
    """The feedback panel for the ipywidgets sheet: :func:`feedback_html` in an HTML widget.

    ``None`` if the template has no feedback. The page's style sheet
    (:data:`transferkit.live.screens.PAGE_CSS`, which holds :data:`BAR_CSS`) draws the bars.
    """
    content = feedback_content(template, answers, phase=phase, lang=lang)
    if content is None:
        return None
    import ipywidgets as w

    panel = w.HTML(feedback_html(content), layout=w.Layout(width="100%"))
    panel.add_class("tk-feedback-panel")
    return panel
