"""What a participant sees right after submitting a sheet (the template's ``feedback``).

Kinds: ``top_priorities`` (needs analysis: own largest gaps between
importance and competence, as a chart), ``profile`` (self-assessment: mean
per scale, reverse-keyed items turned), ``summary`` / ``action_summary``
(own answers listed), ``vote_results`` (own points).

Examples
--------
>>> top_priorities({"imp_a": 5, "comp_a": 2, "imp_b": 4, "comp_b": 4}, top=1)
[('a', 5, 2, 3)]
"""

from __future__ import annotations

import html
import io
from typing import Any

import ipywidgets as w

__all__ = ["feedback_widget", "profile_scores", "top_priorities"]


def top_priorities(
    answers: dict[str, Any],
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


def profile_scores(template: Any, answers: dict[str, Any], group_by: str = "scale_group") -> dict[str, float]:
    """Mean answer per scale (``scale_group`` or ``area``), reverse-keyed Likert items turned."""
    sums: dict[str, list[float]] = {}
    for q in template.all_questions():
        group = getattr(q, group_by, None)
        value = answers.get(q.id)
        if group is None or q.type != "likert" or not isinstance(value, int | float):
            continue
        points = q.point_values()
        score = float(value)
        if getattr(q, "reverse", False):
            score = min(points) + max(points) - score
        sums.setdefault(group, []).append(score)
    return {k: round(sum(v) / len(v), 2) for k, v in sums.items()}


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def _barh(labels: list[str], values: list[float], xlabel: str, xmax: float | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.6 * len(labels) + 1))
    ax.barh(labels[::-1], values[::-1], color="#2e7d32")
    ax.set_xlabel(xlabel)
    if xmax is not None:
        ax.set_xlim(0, xmax)
    fig.tight_layout()
    return _png(fig)


def _label_of(template: Any, qid: str, lang: str) -> str:
    try:
        return str(template.question(qid).label.get(lang))
    except KeyError:
        return qid


def feedback_widget(
    template: Any, answers: dict[str, Any], *, phase: str | None = None, lang: str = "de"
) -> w.Widget | None:
    """The feedback panel (class ``tk-feedback``) for ``answers``, or None if the template has none."""
    spec = template.feedback
    if phase is not None:
        spec = getattr(template.phase(phase), "feedback", None) or spec
    if spec is None:
        return None
    params = spec.params
    de = lang != "en"
    parts: list[w.Widget] = []
    if spec.kind == "top_priorities":
        rows = top_priorities(
            answers,
            top=int(params.get("top", 3)),
            importance_prefix=str(params.get("importance_prefix", "imp_")),
            competence_prefix=str(params.get("competence_prefix", "comp_")),
        )
        title = "Ihre wichtigsten Lernfelder" if de else "Your top learning priorities"
        items = "".join(
            f"<li>{html.escape(_topic_label(template, r[0], lang))}: "
            f"{'Wichtigkeit' if de else 'importance'} {r[1]}, "
            f"{'Kenntnisstand' if de else 'competence'} {r[2]} (+{r[3]})</li>"
            for r in rows
        )
        parts.append(w.HTML(f"<h3>{title}</h3><ol>{items}</ol>"))
        if rows:
            png = _barh(
                [_topic_label(template, r[0], lang)[:40] for r in rows],
                [max(r[3], 0) for r in rows],
                "Lücke (Wichtigkeit − Kenntnisstand)" if de else "gap (importance − competence)",
            )
            parts.append(w.Image(value=png, format="png", layout=w.Layout(max_width="100%")))
    elif spec.kind == "profile":
        scores = profile_scores(template, answers, str(params.get("group_by", "scale_group")))
        wanted = params.get("scales") or list(scores)
        scores = {k: scores[k] for k in wanted if k in scores}
        title = "Ihr Kompetenzprofil" if de else "Your competence profile"
        items = "".join(f"<li>{html.escape(k)}: {v:.1f}</li>" for k, v in scores.items())
        parts.append(w.HTML(f"<h3>{title}</h3><ul>{items}</ul>"))
        if scores:
            png = _barh(list(scores), list(scores.values()), "Mittelwert" if de else "mean", 5)
            parts.append(w.Image(value=png, format="png", layout=w.Layout(max_width="100%")))
    else:
        title = "Ihre Angaben" if de else "Your answers"
        items = "".join(
            f"<li><b>{html.escape(_label_of(template, k, lang))}</b>: {html.escape(_show(v))}</li>"
            for k, v in answers.items()
        )
        parts.append(w.HTML(f"<h3>{title}</h3><ul>{items}</ul>"))
    box = w.VBox(parts, layout=w.Layout(width="100%"))
    box.add_class("tk-feedback")
    return box


def _topic_label(template: Any, topic: str, lang: str) -> str:
    return topic.replace("_", " ")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        if "what" in value:
            return " / ".join(str(value.get(k) or "–") for k in ("what", "who", "due"))
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
