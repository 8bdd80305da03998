"""Data from the store, as tidy tables the reports compute with (self-assessments,
GAS goals, training feedback, loop ratings, needs). Costs, benefits, Kirkpatrick
indicators and planned formats come straight from the store's readers
(``store.costs()``, ``benefits()``, ``indicators()``, ``format_plans()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transferkit.vocabulary import PHASE_RATINGS, SCALE_GROUPS

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.store import Store
    from transferkit.store.values import Row
    from transferkit.templates import Template

__all__ = [
    "LOOP_RATINGS",
    "REVERSE_KEYED",
    "SCALES",
    "gas_goals",
    "loop_ratings",
    "needs",
    "needs_topics",
    "open_store",
    "prepost_by_scale",
    "question_range",
    "reliable_change_by_scale",
    "scale_scores_long",
    "self_assessment",
    "training_feedback",
]


#: Competence scales of the self-assessment sheet (its ``scale_group`` names) and their
#: items; the ``scale`` column of the tables below holds these names.
SCALES: dict[str, list[str]] = {group: list(items) for group, items in SCALE_GROUPS.items()}
REVERSE_KEYED = ["soft_3"]
#: The rating question of each reflection-loop phase.
LOOP_RATINGS: dict[str, str] = dict(PHASE_RATINGS)


def open_store(db: str = "") -> Store:
    """The store at ``db`` (empty: ``$TRANSFERKIT_DB`` or the embedded default)."""
    from transferkit.store import Store

    return Store(db or None)


def self_assessment(store: Store, pilot_id: str | None = None) -> pd.DataFrame:
    """Tidy self-assessments: ``participant, pilot_id, company_id, time`` (pre/post) and items
    (:func:`transferkit.datasets.tidy.self_assessment`)."""
    from transferkit.datasets import tidy

    frame = store.responses(template="competence_self_assessment", pilot=pilot_id)
    return tidy.self_assessment(frame, store.participants())


def company_of(store: Store) -> dict[str, str]:
    participants = store.participants()
    return dict(zip(participants["participant"], participants["company_id"], strict=True))


def scale_scores_long(assessment: pd.DataFrame) -> pd.DataFrame:
    """One row per participant, time and scale with the scale score (``score``)."""
    from transferkit.evaluation import scale_scores

    scores = scale_scores(assessment, SCALES, reverse=REVERSE_KEYED, scale_range=(1, 5))
    wide = assessment[["participant", "pilot_id", "company_id", "time"]].join(scores)
    return wide.melt(
        id_vars=["participant", "pilot_id", "company_id", "time"],
        value_vars=list(SCALES),
        var_name="scale",
        value_name="score",
    )


def prepost_by_scale(assessment: pd.DataFrame) -> pd.DataFrame:
    """:func:`~transferkit.evaluation.prepost` of each scale score (one row per scale)."""
    from transferkit.evaluation import prepost

    long = scale_scores_long(assessment)
    return prepost(
        long,
        "pre",
        "post",
        subject="participant",
        group="scale",
        within="time",
        dv="score",
        overall=False,
    )


def reliable_change_by_scale(assessment: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Reliable change per scale; SD and Cronbach's alpha from the pre scores of ``reference``
    (all pilots in the store: a more stable estimate than one pilot's few people)."""
    import pandas as pd

    from transferkit.evaluation import cronbach_alpha, reliable_change_summary, scale_scores

    rows = []
    ref_pre = reference[reference["time"] == "pre"]
    ref_scores = scale_scores(ref_pre, SCALES, reverse=REVERSE_KEYED, scale_range=(1, 5))
    long = scale_scores_long(assessment)
    for scale, items in SCALES.items():
        recoded = ref_pre[items].copy()
        for item in REVERSE_KEYED:
            if item in recoded:
                recoded[item] = 6 - recoded[item]
        alpha, _ = cronbach_alpha(recoded)
        wide = long[long["scale"] == scale].pivot_table(
            index="participant", columns="time", values="score", aggfunc="first"
        )
        if not {"pre", "post"} <= set(wide.columns):
            continue
        summary = reliable_change_summary(
            wide["pre"], wide["post"], float(ref_scores[scale].std()), float(alpha)
        )
        summary.insert(0, "scale", scale)
        summary["reliability"] = float(alpha)
        rows.append(summary)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def gas_goals(store: Store, pilot_id: str | None = None) -> pd.DataFrame:
    """Tidy GAS goals: ``pilot_id, participant, goal_id, goal, weight, baseline, follow_up``
    (:func:`transferkit.datasets.tidy.gas_goals`)."""
    from transferkit.datasets import tidy

    return tidy.gas_goals(store.responses(template="pilot_goals", pilot=pilot_id))


def training_feedback(store: Store, pilot_id: str | None = None) -> pd.DataFrame:
    """Tidy training feedback: ``participant, pilot_id, format``, items, ``recommend``
    (:func:`transferkit.datasets.tidy.training_feedback`)."""
    from transferkit.datasets import tidy

    return tidy.training_feedback(store.responses(template="training_feedback", pilot=pilot_id))


def loop_ratings(store: Store, pilot_id: str | None = None) -> pd.DataFrame:
    """Reflection-loop ratings: one row per pilot, loop and participant, one column per phase
    (:func:`transferkit.datasets.tidy.loop_ratings`)."""
    from transferkit.datasets import tidy

    return tidy.loop_ratings(store.responses(template="reflection_loop", pilot=pilot_id))


def _need_prefixes(template: Template) -> tuple[str, str]:
    """Importance and competence prefixes of a needs template's question ids."""
    params = template.feedback.params if template.feedback is not None else {}
    return (
        str(params.get("importance_prefix", "imp_")),
        str(params.get("competence_prefix", "comp_")),
    )


def needs_topics(template: Template | str = "needs_analysis") -> dict[str, str]:
    """Topics of a needs-analysis template and their core area, in template order.

    A topic is a pair of questions ``<importance prefix><topic>`` and ``<competence
    prefix><topic>`` (the prefixes of the template's ``top_priorities`` feedback,
    default ``imp_`` and ``comp_``); its area is the importance question's ``area``.

    >>> list(needs_topics().items())[:2]
    [('data_literacy', 'digital'), ('digital_tools', 'digital')]
    """
    if isinstance(template, str):
        from transferkit.templates import load_template

        template = load_template(template)
    imp, comp = _need_prefixes(template)
    questions = {q.id: q for q in template.all_questions()}
    return {
        qid.removeprefix(imp): str(q.area or "")
        for qid, q in questions.items()
        if qid.startswith(imp) and f"{comp}{qid.removeprefix(imp)}" in questions
    }


def needs(store: Store, company_id: str | None = None) -> pd.DataFrame:
    """Tidy needs: ``company_id, participant, topic, area, importance, competence``
    (:func:`transferkit.datasets.tidy.needs`).

    The topics are those of the ``needs_analysis`` template (:func:`needs_topics`).
    """
    from transferkit.datasets import tidy
    from transferkit.templates import load_template

    template = load_template("needs_analysis")
    imp, comp = _need_prefixes(template)
    out = tidy.needs(
        store.responses(template=template),
        store.participants(),
        needs_topics(template),
        importance_prefix=imp,
        competence_prefix=comp,
    )
    if company_id:
        out = out[out["company_id"] == company_id].reset_index(drop=True)
    return out


def pilot_row(store: Store, pilot_id: str) -> Row:
    pilots = store.pilots()
    row = pilots[pilots["pilot_id"] == pilot_id]
    if row.empty:
        from transferkit.exceptions import ParameterError

        msg = f"pilot {pilot_id!r} is not in the store; valid: {', '.join(pilots['pilot_id'])}"
        raise ParameterError(msg)
    return dict(row.iloc[0])


def network_name(store: Store) -> str:
    networks = store.networks()
    return str(networks["name"].iloc[0]) if len(networks) else "Netzwerk"


def question_range(template: str, question: str) -> tuple[float, float]:
    """The lowest and highest answer of a rating question (its Likert points, or a scale's
    ``min`` and ``max``): the value axis of every chart of that question, in every report.

    >>> question_range("reflection_loop", "loop_satisfaction")
    (1.0, 5.0)
    """
    from transferkit.templates import load_template

    for q in load_template(template).all_questions():
        if q.id != question:
            continue
        points = getattr(q, "points", None)
        if points:
            values = [float(p.value) for p in points]
            return min(values), max(values)
        low, high = getattr(q, "min", None), getattr(q, "max", None)
        if low is not None and high is not None:
            return float(low), float(high)
        msg = f"question {question!r} of template {template!r} is not a rating with a range"
        raise ValueError(msg)
    msg = f"template {template!r} has no question {question!r}"
    raise KeyError(msg)
