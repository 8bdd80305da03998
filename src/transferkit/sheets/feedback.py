"""What a participant sees right after submitting a sheet (the template's ``feedback``).

Kinds: ``top_priorities`` (needs analysis: own largest gaps between
importance and competence, as a chart), ``profile`` (self-assessment: mean
per scale, reverse-keyed items turned), ``summary`` / ``action_summary``
(own answers listed), ``vote_results`` (own points).

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

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from transferkit.i18n import text
from transferkit.vocabulary import TOPIC_NAMES

if TYPE_CHECKING:
    import ipywidgets as w

    from transferkit.store.values import Answers, JSONValue
    from transferkit.templates import Feedback, LikertQuestion, Template

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
    the bars run from 0 to ``scale_max``. ``ordered`` lists are numbered.
    """

    kind: str
    title: str
    rows: tuple[FeedbackRow, ...]
    ordered: bool = False
    chart_label: str | None = None
    scale_max: float | None = None

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
def _spec(template: Template, phase: str | None) -> Feedback | None:
    spec = template.feedback
    if phase is not None:
        spec = getattr(template.phase(phase), "feedback", None) or spec
    return spec


def feedback_content(
    template: Template, answers: Answers, *, phase: str | None = None, lang: str = "de"
) -> FeedbackContent | None:
    """What the template's feedback shows for ``answers``, or ``None`` if it defines none."""
    spec = _spec(template, phase)
    if spec is None:
        return None
    params = spec.params
    if spec.kind == "top_priorities":
        importance_prefix = str(params.get("importance_prefix", "imp_"))
        rows = top_priorities(
            answers,
            top=int(params.get("top", 3)),
            importance_prefix=importance_prefix,
            competence_prefix=str(params.get("competence_prefix", "comp_")),
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
        )
    if spec.kind == "profile":
        group_by = str(params.get("group_by", "scale_group"))
        scores = profile_scores(template, answers, group_by)
        wanted = params.get("scales") or list(scores)
        scores = {k: scores[k] for k in wanted if k in scores}
        return FeedbackContent(
            kind=spec.kind,
            title=text("feedback.profile", lang),
            rows=tuple(FeedbackRow(str(k), f"{v:.1f}", float(v)) for k, v in scores.items()),
            chart_label=text("feedback.mean", lang),
            scale_max=_likert_max(template, group_by),
        )
    return FeedbackContent(
        kind=spec.kind,
        title=text("feedback.summary", lang),
        rows=tuple(FeedbackRow(_label_of(template, k, lang), _show(v)) for k, v in answers.items()),
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


def _likert_max(template: Template, group_by: str) -> float:
    """The highest point value of the grouped Likert items (5 for 1–5)."""
    tops = [
        max(cast("LikertQuestion", q).point_values())
        for q in template.all_questions()
        if q.type == "likert" and getattr(q, group_by, None) is not None
    ]
    return float(max(tops, default=5))


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


def _show(value: JSONValue) -> str:
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        if "what" in value:
            return " / ".join(str(value.get(k) or "–") for k in ("what", "who", "due"))
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


# --------------------------------------------------------------------------- drawn as HTML
def _list_html(content: FeedbackContent) -> str:
    """Title and list, the same for both faces."""
    if content.chart_label is None:  # a summary: labels in bold
        items = "".join(
            f"<li><b>{html.escape(r.label)}</b>: {html.escape(r.text)}</li>" for r in content.rows
        )
    else:
        items = "".join(
            f"<li>{html.escape(r.label)}: {html.escape(r.text)}</li>" for r in content.rows
        )
    tag = "ol" if content.ordered else "ul"
    return f"<h3>{html.escape(content.title)}</h3><{tag}>{items}</{tag}>"


def _number(value: float) -> str:
    return f"{value:g}"


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
    bars: Sequence[tuple[str, float]], *, top: float | None = None, axis: str = ""
) -> str:
    """A horizontal bar chart as HTML (``tk-chart``), drawn by :data:`BAR_CSS`.

    Each bar is ``value / top`` wide (``top``: the scale's maximum, else the
    largest value; negative values are drawn as 0, their number is shown);
    labels are escaped. Sharp at any size, on a phone as on a projector.

    >>> bars_html([("Lernpaten", 3), ("Kanban", 1)], axis="Punkte").count('class="tk-bar-row"')
    2
    """
    top = top or max((value for _label, value in bars), default=0.0) or 1.0
    label = html.escape(axis)
    parts = [f'<div class="tk-chart" role="img" aria-label="{label}">']
    for name, value in bars:
        width = min(100.0, max(0.0, 100.0 * value / top))
        parts.append(
            '<div class="tk-bar-row">'
            f'<div class="tk-bar-label">{html.escape(name)}</div>'
            f'<div class="tk-bar-track"><div class="tk-bar" style="width:{width:.1f}%"></div></div>'
            f'<div class="tk-bar-value">{_number(value)}</div></div>'
        )
    parts.append(f'<div class="tk-chart-axis">{label} (0–{_number(top)})</div></div>')
    return "".join(parts)


def feedback_html(content: FeedbackContent) -> str:
    """The feedback as HTML (class ``tk-feedback``): its list and, for charts, :func:`bars_html`.

    Everything from answers and templates is escaped.
    """
    parts = [
        f'<div class="tk-feedback tk-feedback-{re.sub(r"[^A-Za-z0-9_-]", "_", content.kind)}">',
        _list_html(content),
    ]
    if content.has_chart:
        bars = [(row.label, row.value or 0.0) for row in content.rows]
        parts.append(bars_html(bars, top=content.scale_max, axis=content.chart_label or ""))
    parts.append("</div>")
    return "".join(parts)


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
