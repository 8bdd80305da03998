"""What the report notebooks show: tables, figures, summaries and key figures, assembled from a Store.

The notebooks in ``notebooks/`` stay thin: each cell calls one function here.
Functions named ``*_report`` gather one report's data into a :class:`Report`
(no display); ``show_*`` functions display it (headings, captioned figures
as embedded PNG, tables, and the key figures that the report runner writes
to JSON).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

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

KEY_FIGURES_MIMETYPE = "application/vnd.transferkit.keyfigures+json"


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


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars -> Python, NaN/inf -> None, tuples -> lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ------------------------------------------------------------------ texts
_T: dict[str, dict[str, str]] = {
    "de": {
        "dig": "Digitale Kompetenzen", "soft": "Soft Skills", "sus": "Nachhaltigkeit",
        "pre": "vorher", "post": "nachher",
        "pilot_title": "Pilotprojekt {pilot_id}: {title}",
        "pilot_subtitle": "Auswertungsbericht · Unternehmen: {companies} · {start} bis {end}",
        "participation": "Beteiligung", "effects": "Vorher-nachher: Wie haben sich die "
        "Kompetenzen verändert?", "rci": "Verlässliche Veränderung je Person",
        "gas": "Zielerreichung (Goal Attainment Scaling)", "loops": "Reflexionsschleifen",
        "actions": "Maßnahmen aus den Reflexionsschleifen", "kirkpatrick": "Wirkungsebenen "
        "(Kirkpatrick)", "needs": "Bedarfe der beteiligten Unternehmen",
        "roi": "Kosten und Nutzen", "no_data": "Für diesen Abschnitt liegen noch keine Daten vor.",
    },
    "en": {
        "dig": "Digital skills", "soft": "Soft skills", "sus": "Sustainability",
        "pre": "before", "post": "after",
        "pilot_title": "Pilot project {pilot_id}: {title}",
        "pilot_subtitle": "Evaluation report · companies: {companies} · {start} to {end}",
        "participation": "Participation", "effects": "Before and after: how did skills change?",
        "rci": "Reliable change per person", "gas": "Goal attainment (Goal Attainment Scaling)",
        "loops": "Reflection loops", "actions": "Action items from the reflection loops",
        "kirkpatrick": "Levels of impact (Kirkpatrick)",
        "needs": "Needs of the companies involved", "roi": "Costs and benefits",
        "no_data": "There are no data for this section yet.",
    },
}

#: Competence scales of the self-assessment sheet and their items.
SCALES: dict[str, list[str]] = {
    "dig": ["dig_1", "dig_2", "dig_3", "dig_4"],
    "soft": ["soft_1", "soft_2", "soft_3", "soft_4"],
    "sus": ["sus_1", "sus_2", "sus_3"],
}
REVERSE_KEYED = ["soft_3"]
LOOP_RATINGS = {
    "information": "info_useful",
    "anwendung": "app_success",
    "austausch": "exchange_quality",
    "optimierung": "loop_satisfaction",
}


def text(key: str, lang: str = "de", **values: Any) -> str:
    """A report text in ``lang`` (German by default), formatted with ``values``."""
    table = _T.get(lang, _T["de"])
    return table.get(key, _T["de"].get(key, key)).format(**values)


def _num(value: Any, digits: int = 1, lang: str = "de") -> str:
    """A number for prose: German decimal comma in German."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    out = f"{value:.{digits}f}"
    if out.lstrip("-").strip("0.") == "":  # -0.00 reads as a negative change: show 0.00
        out = out.lstrip("-")
    return out.replace(".", ",") if lang == "de" else out


# ------------------------------------------------------------ data from the store
def open_store(db: str = "") -> Any:
    """The store at ``db`` (empty: ``$TRANSFERKIT_DB`` or the embedded default)."""
    from transferkit.store import Store

    return Store(db or None)


def self_assessment(store: Any, pilot_id: str | None = None) -> Any:
    """Tidy self-assessments: ``participant, pilot_id, company_id, time`` (pre/post) and items."""
    import pandas as pd

    frame = store.responses(template="competence_self_assessment", pilot=pilot_id)
    items = [i for scale in SCALES.values() for i in scale]
    if frame.empty:
        return pd.DataFrame(columns=["participant", "pilot_id", "company_id", "time", *items])
    company = _company_of(store)
    out = pd.DataFrame({
        "participant": frame["participant"],
        "pilot_id": frame["pilot"],
        "company_id": frame["participant"].map(company),
        "time": frame["measurement"],
    })
    for item in items:
        out[item] = pd.to_numeric(frame.get(item), errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def _company_of(store: Any) -> dict[str, str]:
    participants = store.participants()
    return dict(zip(participants["participant"], participants["company_id"], strict=True))


def scale_scores_long(assessment: Any) -> Any:
    """One row per participant, time and scale with the scale score (``score``)."""
    from transferkit.evaluation import scale_scores

    scores = scale_scores(assessment, SCALES, reverse=REVERSE_KEYED, scale_range=(1, 5))
    wide = assessment[["participant", "pilot_id", "company_id", "time"]].join(scores)
    return wide.melt(id_vars=["participant", "pilot_id", "company_id", "time"],
                     value_vars=list(SCALES), var_name="scale", value_name="score")


def prepost_by_scale(assessment: Any) -> Any:
    """:func:`~transferkit.evaluation.prepost` of each scale score (one row per scale)."""
    from transferkit.evaluation import prepost

    long = scale_scores_long(assessment)
    return prepost(long, "pre", "post", subject="participant", group="scale",
                   within="time", dv="score", overall=False)


def reliable_change_by_scale(assessment: Any, reference: Any) -> Any:
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
            index="participant", columns="time", values="score", aggfunc="first")
        if not {"pre", "post"} <= set(wide.columns):
            continue
        summary = reliable_change_summary(wide["pre"], wide["post"],
                                          float(ref_scores[scale].std()), float(alpha))
        summary.insert(0, "scale", scale)
        summary["reliability"] = float(alpha)
        rows.append(summary)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def gas_goals(store: Any, pilot_id: str | None = None) -> Any:
    """Tidy GAS goals: ``pilot_id, participant, goal_id, goal, weight, baseline, follow_up``."""
    import pandas as pd

    frame = store.responses(template="pilot_goals", pilot=pilot_id)
    rows = []
    for _, response in frame.iterrows():
        goals = response.get("goals")
        if not isinstance(goals, list):
            continue
        for k, goal in enumerate(goals, start=1):
            rows.append({
                "pilot_id": response["pilot"], "participant": response["participant"],
                "goal_id": f"{response['pilot']}-G{k}", "goal": goal["goal"],
                "weight": float(goal.get("weight", 1.0)), "baseline": goal["baseline"],
                "follow_up": goal.get("follow_up"),
            })
    columns = ["pilot_id", "participant", "goal_id", "goal", "weight", "baseline", "follow_up"]
    out = pd.DataFrame(rows, columns=columns)
    out["follow_up"] = pd.to_numeric(out["follow_up"], errors="coerce").astype("Int64")
    return out.sort_values("goal_id").reset_index(drop=True)


def training_feedback(store: Any, pilot_id: str | None = None) -> Any:
    """Tidy training feedback: ``participant, pilot_id, format``, items, ``recommend``."""
    frame = store.responses(template="training_feedback", pilot=pilot_id)
    return frame.rename(columns={"pilot": "pilot_id"}).drop(
        columns=["response_id", "submission_id", "template", "template_version", "loop",
                 "phase", "submitted_at"], errors="ignore")


def loop_ratings(store: Any, pilot_id: str | None = None) -> Any:
    """Reflection-loop ratings: one row per pilot, loop and participant, one column per phase."""
    import pandas as pd

    frame = store.responses(template="reflection_loop", pilot=pilot_id)
    columns = ["pilot_id", "loop", "participant", *LOOP_RATINGS.values()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    present = [c for c in LOOP_RATINGS.values() if c in frame.columns]
    rated = frame[["pilot", "loop", "participant", *present]].rename(columns={"pilot": "pilot_id"})
    out = rated.groupby(["pilot_id", "loop", "participant"], as_index=False).first()
    out = out.reindex(columns=columns)
    for column in LOOP_RATINGS.values():
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out["loop"] = out["loop"].astype("int64")
    return out.sort_values(["pilot_id", "loop", "participant"]).reset_index(drop=True)


def needs(store: Any, company_id: str | None = None) -> Any:
    """Tidy needs: ``company_id, participant, topic, area, importance, competence``."""
    import pandas as pd

    from transferkit.datasets.generate import TOPICS

    frame = store.responses(template="needs_analysis")
    columns = ["company_id", "participant", "topic", "area", "importance", "competence"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    company = _company_of(store)
    rows = []
    for topic, area in TOPICS.items():
        if f"imp_{topic}" not in frame.columns:
            continue
        rows.append(pd.DataFrame({
            "company_id": frame["participant"].map(company), "participant": frame["participant"],
            "topic": topic, "area": area,
            "importance": pd.to_numeric(frame[f"imp_{topic}"], errors="coerce"),
            "competence": pd.to_numeric(frame[f"comp_{topic}"], errors="coerce"),
        }))
    out = pd.concat(rows, ignore_index=True)
    if company_id:
        out = out[out["company_id"] == company_id]
    return out.sort_values(["company_id", "participant"], kind="stable").reset_index(drop=True)


def demo_table(store: Any, name: str, pilot_id: str | None = None) -> Any:
    """A table the store does not hold (``costs``, ``benefits``, ``indicators``): the bundled
    demo data, but only when the store holds the demo network; else ``None``."""
    from transferkit.datasets import read_dataset
    from transferkit.datasets.generate import NETWORK

    if NETWORK["network_id"] not in set(store.networks()["network_id"]):
        return None
    table = read_dataset(name)
    if pilot_id is not None:
        table = table[table["pilot_id"] == pilot_id]
    return table.reset_index(drop=True) if len(table) else None


# ------------------------------------------------------------------ pilot report
def _pilot_row(store: Any, pilot_id: str) -> dict[str, Any]:
    pilots = store.pilots()
    row = pilots[pilots["pilot_id"] == pilot_id]
    if row.empty:
        from transferkit.exceptions import ParameterError

        msg = f"pilot {pilot_id!r} is not in the store; valid: {', '.join(pilots['pilot_id'])}"
        raise ParameterError(msg)
    return dict(row.iloc[0])


def _date(value: Any) -> str:
    try:
        return f"{value:%d.%m.%Y}"
    except (TypeError, ValueError):
        return "–"


def pilot_report(store: Any, pilot_id: str, lang: str = "de") -> Report:
    """Everything the pilot report shows, computed from the store."""
    from transferkit.evaluation import (
        action_item_flow,
        gas_summary,
        kirkpatrick,
        loop_trends,
        needs_priorities,
        nps,
        roi,
    )

    en = lang == "en"
    pilot = _pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if en else pilot["title_de"])
    companies = [c for c in str(pilot.get("companies") or "").split(";") if c]
    names = store.companies().set_index("company_id")["name"].to_dict()
    report = Report(
        title=text("pilot_title", lang, pilot_id=pilot_id, title=title),
        subtitle=text("pilot_subtitle", lang,
                      companies=", ".join(names.get(c, c) for c in companies) or "–",
                      start=_date(pilot.get("start")), end=_date(pilot.get("end"))),
        summary="", lang=lang,
    )
    kf: dict[str, Any] = {"title": report.title, "pilot_id": pilot_id}

    # participation
    people = store.participants()
    people = people[people["pilot_id"] == pilot_id]
    assessment = self_assessment(store, pilot_id)
    ratings = loop_ratings(store, pilot_id)
    feedback = training_feedback(store, pilot_id)
    per_company = people.groupby("company_id").size()
    participation = _participation_table(people, assessment, ratings, names, lang)
    kf["n_participants"] = len(people)
    kf["participants_by_company"] = {str(k): int(v) for k, v in per_company.items()}
    sec = Section("participation", text("participation", lang), tables=[(participation, "")])
    figures = loop_figures(store, pilot_id)
    if len(ratings):
        per_loop = figures[figures["participants"] > 0].set_index("loop")["participants"]
        kf["participants_by_loop"] = {str(k): int(v) for k, v in per_loop.items()}
        sec.figures.append((partial(_bars, series=per_loop, lang=lang, xde="Schleife", xen="Loop",
                                    yde="Teilnehmende", yen="Participants"),
                            "Teilnehmende je Reflexionsschleife: wie viele Personen in jeder "
                            "Schleife mindestens eine Phase ausgefüllt haben." if not en else
                            "Participants per reflection loop: how many people filled in at "
                            "least one phase of each loop."))
    report.sections["participation"] = sec

    # pre/post effects
    sec = Section("effects", text("effects", lang), empty=text("no_data", lang))
    effects = None
    if (assessment["time"] == "pre").any() and (assessment["time"] == "post").any():
        effects = prepost_by_scale(assessment)
        kf["effects"] = {
            str(r["scale"]): {"n": int(r["n"]), "mean_pre": r["mean_pre"],
                              "mean_post": r["mean_post"], "mean_diff": r["mean_diff"],
                              "d_av": r["d_av"], "p_t": r["p_t"]}
            for _, r in effects.iterrows()
        }
        sec.text = _effects_text(effects, lang)
        sec.tables.append((_effects_table(effects, lang), ""))
        means = scale_scores_long(assessment)
        sec.figures.append((partial(_slopes, long=means, lang=lang),
                            "Mittelwerte der Selbsteinschätzung (1 = gering, 5 = hoch) vorher und "
                            "nachher, je Kompetenzbereich; graue Linien: einzelne Personen."
                            if not en else
                            "Mean self-assessment (1 = low, 5 = high) before and after, per skill "
                            "area; grey lines: individual people."))
    report.sections["effects"] = sec

    # reliable change
    sec = Section("rci", text("rci", lang), empty=text("no_data", lang))
    if effects is not None:
        rci = reliable_change_by_scale(assessment, self_assessment(store))
        if len(rci):
            kf["reliable_change"] = {
                str(r["scale"]): {"n": int(r["n"]), "improved": int(r["improved"]),
                                  "deteriorated": int(r["deteriorated"]),
                                  "pct_improved": r["pct_improved"]}
                for _, r in rci.iterrows()
            }
            sec.text = (
                "Eine Veränderung gilt als verlässlich, wenn sie größer ist als die Messungenauigkeit "
                "des Fragebogens (Reliable Change Index, 95 %)." if not en else
                "A change counts as reliable when it is larger than the questionnaire's measurement "
                "error (Reliable Change Index, 95%).")
            sec.tables.append((_rci_table(rci, lang), ""))
    report.sections["rci"] = sec

    # GAS
    sec = Section("gas", text("gas", lang), empty=text("no_data", lang))
    goals = gas_goals(store, pilot_id)
    if len(goals):
        summary = gas_summary(goals, by="pilot_id")
        row = summary.iloc[0]
        kf["gas"] = {"n_goals": int(row["n_goals"]), "t_baseline": row["t_baseline"],
                     "t_follow_up": row["t_follow_up"], "t_change": row["t_change"]}
        sec.text = (
            f"Für {len(goals)} Ziele wurde zu Beginn und am Ende eingeschätzt, wie weit sie "
            "erreicht sind (−2 = viel weniger als erwartet, 0 = wie erwartet, +2 = viel mehr). "
            f"Der gewichtete Gesamtwert (T-Wert, 50 = wie erwartet) stieg von "
            f"{_num(row['t_baseline'], 0, lang)} auf {_num(row['t_follow_up'], 0, lang)}."
            if not en else
            f"For {len(goals)} goals, attainment was rated at the start and at the end "
            "(−2 = much less than expected, 0 = as expected, +2 = much more). The weighted "
            f"overall score (T-score, 50 = as expected) went from {_num(row['t_baseline'], 0, lang)} "
            f"to {_num(row['t_follow_up'], 0, lang)}.")
        sec.tables.append((_goals_table(goals, lang), ""))
        sec.figures.append((partial(_gas, goals=goals, lang=lang),
                            "Zielerreichung je Ziel zu Beginn (Kreis) und am Ende (Punkt); "
                            "0 ist das erwartete Ergebnis." if not en else
                            "Attainment of each goal at the start (circle) and at the end (dot); "
                            "0 is the expected outcome."))
    report.sections["gas"] = sec

    # loops and action items
    sec = Section("loops", text("loops", lang), empty=text("no_data", lang))
    if len(ratings):
        trends = loop_trends(ratings, list(LOOP_RATINGS.values()))
        sat = trends[trends["metric"] == "loop_satisfaction"]
        kf["loop_satisfaction"] = {str(int(r["loop"])): r["mean"] for _, r in sat.iterrows()}
        kf["loop_satisfaction_slope"] = float(sat["slope"].iloc[0]) if len(sat) else None
        sec.text = _loops_text(sat, lang)
        sec.figures.append((partial(_trends, trends=trends, lang=lang),
                            "Durchschnittliche Bewertung je Phase der Reflexionsschleife "
                            "(1 = schlecht, 5 = sehr gut), Schleife für Schleife." if not en else
                            "Mean rating of each phase of the reflection loop (1 = poor, "
                            "5 = very good), loop by loop."))
    closed = figures[figures["closed_at"].notna()]
    if len(closed):
        kf["loops_closed"] = {str(int(r["loop"])): r["closed_at"].isoformat()
                              for _, r in closed.iterrows()}
        sec.tables.append((_closed_loops_table(closed, lang), _de_en(
            lang, "Abgeschlossene Schleifen: Kennzahlen beim Abschluss durch die Moderation",
            "Closed loops: key figures when the moderator closed them")))
    report.sections["loops"] = sec

    sec = Section("actions", text("actions", lang), empty=text("no_data", lang))
    actions = store.action_items(pilot_id)
    if len(actions):
        flow = action_item_flow(actions)
        open_items = actions[actions["status"].isin(["open", "carried_over"])]
        kf["action_items"] = {"total": len(actions),
                              "done": int((actions["status"] == "done").sum()),
                              "open": len(open_items),
                              "dropped": int((actions["status"] == "dropped").sum())}
        sec.text = (
            f"In den Schleifen wurden {len(actions)} Maßnahmen vereinbart; "
            f"{kf['action_items']['done']} sind erledigt, {len(open_items)} noch offen."
            if not en else
            f"The loops agreed on {len(actions)} action items; {kf['action_items']['done']} are "
            f"done, {len(open_items)} still open.")
        sec.tables.append((_flow_table(flow, lang), ""))
        if len(open_items):
            sec.tables.append((_open_items_table(open_items, lang),
                               "Offene Maßnahmen" if not en else "Open action items"))
    report.sections["actions"] = sec

    # Kirkpatrick
    sec = Section("kirkpatrick", text("kirkpatrick", lang), empty=text("no_data", lang))
    indicators = demo_table(store, "indicators", pilot_id)
    if len(feedback):
        kf["nps"] = float(nps(feedback["recommend"])["nps"])
    if indicators is not None:
        levels = kirkpatrick(indicators)
        kf["kirkpatrick"] = {str(int(r["level"])): r["value"] for _, r in levels.iterrows()}
        sec.text = (
            "Vier Ebenen der Wirkung: Zufriedenheit (1), Lernen (2), Verhalten am Arbeitsplatz (3), "
            "Ergebnisse im Unternehmen (4)." if not en else
            "Four levels of impact: reaction (1), learning (2), behaviour at work (3), results for "
            "the company (4).")
        sec.tables.append((_kirkpatrick_table(levels, lang), ""))
    report.sections["kirkpatrick"] = sec

    # needs of the companies involved
    sec = Section("needs", text("needs", lang), empty=text("no_data", lang))
    need = needs(store)
    need = need[need["company_id"].isin(companies)]
    if len(need):
        prio = needs_priorities(need, by=None)
        top = prio.sort_values("rank").head(5)
        kf["top_needs"] = [str(t) for t in top["topic"]]
        sec.tables.append((_needs_table(top, lang),
                           "Die fünf wichtigsten Lernthemen" if not en else "The five top topics"))
    report.sections["needs"] = sec

    # ROI
    sec = Section("roi", text("roi", lang), empty=(
        "Für dieses Pilotprojekt liegen keine Kostendaten vor." if not en else
        "There are no cost data for this pilot."))
    costs, benefits = demo_table(store, "costs", pilot_id), demo_table(store, "benefits", pilot_id)
    if costs is not None and benefits is not None:
        result = roi(benefits, costs, by="pilot_id").iloc[0]
        kf["roi"] = {"costs": result["costs"], "benefits": result["benefits"],
                     "net_benefits": result["net_benefits"], "bcr": result["bcr"],
                     "roi_percent": result["roi_percent"]}
        sec.text = _roi_text(result, lang)
        sec.figures.append((partial(_cost_bars, costs=costs, benefits=benefits, lang=lang),
                            "Kosten und bezifferter Nutzen des Pilotprojekts in Euro, nach Posten."
                            if not en else
                            "Costs and monetised benefits of the pilot in euros, by item."))
    report.sections["roi"] = sec

    report.summary = _pilot_summary(kf, lang)
    report.key_figures = plain(kf)
    return report


# ------------------------------------------------------------ pilot report: pieces
_TOPIC_NAMES = {
    "de": {"data_literacy": "Datenkompetenz", "digital_tools": "Digitale Werkzeuge",
           "it_security": "IT-Sicherheit", "ai_use": "KI-Nutzung", "communication": "Kommunikation",
           "self_organisation": "Selbstorganisation", "change_agility": "Veränderungsfähigkeit",
           "teamwork": "Teamarbeit", "resource_efficiency": "Ressourceneffizienz",
           "sustainable_products": "Nachhaltige Produkte", "csr_reporting": "CSR-Berichterstattung"},
    "en": {"data_literacy": "Data literacy", "digital_tools": "Digital tools",
           "it_security": "IT security", "ai_use": "Use of AI", "communication": "Communication",
           "self_organisation": "Self-organisation", "change_agility": "Change agility",
           "teamwork": "Teamwork", "resource_efficiency": "Resource efficiency",
           "sustainable_products": "Sustainable products", "csr_reporting": "CSR reporting"},
}
_PHASE_NAMES = {
    "de": {"info_useful": "Information", "app_success": "Anwendung",
           "exchange_quality": "Austausch", "loop_satisfaction": "Optimierung (Zufriedenheit)"},
    "en": {"info_useful": "Information", "app_success": "Application",
           "exchange_quality": "Exchange", "loop_satisfaction": "Optimisation (satisfaction)"},
}


_LABELS = {
    "de": {
        "content_production": "Erstellung von Lerninhalten", "external_consulting": "externe Beratung",
        "facilitation": "Moderation und Begleitung", "hardware": "Hardware",
        "laboratory_tests": "Labortests", "licences": "Lizenzen", "materials": "Material",
        "staff_learning_time": "Lernzeit der Beschäftigten",
        "fewer_complaints": "weniger Reklamationen", "higher_hit_rate": "höhere Auftragsquote",
        "knowledge_retention": "gesichertes Erfahrungswissen",
        "lead_time_reduction": "kürzere Durchlaufzeit", "material_savings": "Materialeinsparung",
        "new_product_margin": "Deckungsbeitrag neuer Produkte",
        "onboarding_savings": "kürzere Einarbeitung", "quality_improvement": "bessere Qualität",
        "scrap_reduction": "weniger Ausschuss", "time_savings": "Zeitersparnis",
        "behaviour_share": "Anteil, der das Gelernte anwendet",
        "onboarding_time_change": "Veränderung der Einarbeitungszeit",
        "order_lead_time_change": "Veränderung der Auftragsdurchlaufzeit",
        "quote_turnaround_change": "Veränderung der Angebotsbearbeitungszeit",
        "recycled_fibre_share_change": "Veränderung des Recyclingfaseranteils",
        "satisfaction": "Zufriedenheit", "scrap_rate_change": "Veränderung der Ausschussquote",
        "search_time_change": "Veränderung der Suchzeit", "test_score": "Ergebnis im Wissenstest",
        "likert_1_5": "Skala 1–5", "percent": "%", "percentage_points": "Prozentpunkte",
        "micro": "Kleinstunternehmen", "small": "kleines Unternehmen",
        "medium": "mittleres Unternehmen", "metal_electrical": "Metall und Elektro",
        "textile": "Textil", "organiser": "Organisator", "financier": "Finanzierer",
        "sender": "entsendet Beschäftigte", "best_practice": "Best-Practice-Geber",
    },
    "en": {
        "likert_1_5": "scale 1–5", "percent": "%", "percentage_points": "percentage points",
        "micro": "micro enterprise", "small": "small enterprise", "medium": "medium-sized",
        "metal_electrical": "metal and electrical", "organiser": "organiser",
        "financier": "financier", "sender": "sends employees", "best_practice": "best practice",
        "behaviour_share": "share applying what they learned", "test_score": "knowledge test score",
    },
}


def label(value: Any, lang: str = "de") -> str:
    """A readable label for a code such as ``staff_learning_time`` or ``percent``."""
    key = str(value)
    return _LABELS.get(lang, _LABELS["de"]).get(key, key.replace("_", " "))


def topic_name(topic: str, lang: str = "de") -> str:
    """The readable name of a needs-analysis topic."""
    return _TOPIC_NAMES.get(lang, _TOPIC_NAMES["de"]).get(topic, topic)


def _de_en(lang: str, de: str, en: str) -> str:
    return en if lang == "en" else de


def _participation_table(people: Any, assessment: Any, ratings: Any, names: Mapping[str, str],
                         lang: str) -> Any:
    import pandas as pd

    rows = []
    for company, group in people.groupby("company_id"):
        codes = set(group["participant"])
        mine = assessment[assessment["participant"].isin(codes)]
        pre = set(mine.loc[mine["time"] == "pre", "participant"])
        post = set(mine.loc[mine["time"] == "post", "participant"])
        rows.append({
            _de_en(lang, "Unternehmen", "Company"): names.get(str(company), str(company)),
            _de_en(lang, "Teilnehmende", "Participants"): len(codes),
            _de_en(lang, "vorher + nachher", "before + after"): len(pre & post),
            _de_en(lang, "in Schleifen aktiv", "active in loops"):
                int(ratings["participant"].isin(codes).groupby(ratings["participant"]).any().sum())
                if len(ratings) else 0,
        })
    return pd.DataFrame(rows)


def _effects_text(effects: Any, lang: str) -> str:
    parts = []
    for _, row in effects.iterrows():
        name = text(str(row["scale"]), lang)
        diff = _num(row["mean_diff"], 2, lang)
        sign = "+" if row["mean_diff"] > 0 else ""
        sure = (row["p_t"] < 0.05) if row["p_t"] == row["p_t"] else False
        if lang == "en":
            parts.append(f"{name}: {sign}{diff} points ({'clear' if sure else 'not a clear'} "
                         "change)")
        else:
            parts.append(f"{name}: {sign}{diff} Punkte ({'deutliche' if sure else 'keine deutliche'}"
                         " Veränderung)")
    lead = _de_en(lang, "Veränderung der Selbsteinschätzung auf der Skala 1–5 — ",
                  "Change in self-assessment on the 1–5 scale — ")
    return lead + "; ".join(parts) + "."


def _effects_table(effects: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Bereich", "Area"): [text(str(s), lang) for s in effects["scale"]],
        _de_en(lang, "Personen", "People"): effects["n"].astype(int),
        _de_en(lang, "vorher", "before"): effects["mean_pre"],
        _de_en(lang, "nachher", "after"): effects["mean_post"],
        _de_en(lang, "Veränderung", "Change"): effects["mean_diff"],
        _de_en(lang, "95 %-Intervall", "95% interval"): [
            f"{_num(lo, 2, lang)} … {_num(hi, 2, lang)}"
            for lo, hi in zip(effects["ci95_low"], effects["ci95_high"], strict=True)],
        _de_en(lang, "Effektstärke d", "Effect size d"): effects["d_av"],
        "p": effects["p_t"],
    })


def _rci_table(rci: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Bereich", "Area"): [text(str(s), lang) for s in rci["scale"]],
        _de_en(lang, "Personen", "People"): rci["n"].astype(int),
        _de_en(lang, "verbessert", "improved"): rci["improved"].astype(int),
        _de_en(lang, "unverändert", "no reliable change"): rci["no_reliable_change"].astype(int),
        _de_en(lang, "verschlechtert", "deteriorated"): rci["deteriorated"].astype(int),
        _de_en(lang, "Reliabilität (α)", "Reliability (α)"): rci["reliability"],
    })


def _goals_table(goals: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Ziel", "Goal"): goals["goal"],
        _de_en(lang, "Gewicht", "Weight"): goals["weight"].map(lambda w: f"{w:g}"),
        _de_en(lang, "Beginn", "Start"): goals["baseline"].astype(int),
        _de_en(lang, "Ende", "End"): goals["follow_up"].map(
            _level),
    })


def _level(value: Any) -> str:
    import pandas as pd

    return "–" if pd.isna(value) else f"{int(value):+d}".replace("+0", "0")


def _loops_text(sat: Any, lang: str) -> str:
    if sat.empty:
        return ""
    first, last = sat["mean"].iloc[0], sat["mean"].iloc[-1]
    trend = ("gestiegen" if last > first + 0.1 else "gesunken" if last < first - 0.1
             else "etwa gleich geblieben")
    trend_en = ("risen" if last > first + 0.1 else "fallen" if last < first - 0.1
                else "stayed about the same")
    if lang == "en":
        return (f"Satisfaction with the loops has {trend_en}: from {_num(first, 1, lang)} in the "
                f"first to {_num(last, 1, lang)} in the last loop (scale 1–5).")
    return (f"Die Zufriedenheit mit den Schleifen ist {trend}: von {_num(first, 1, lang)} in der "
            f"ersten auf {_num(last, 1, lang)} in der letzten Schleife (Skala 1–5).")


def _flow_table(flow: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Schleife", "Loop"): flow["loop"].astype(int),
        _de_en(lang, "übernommen", "carried in"): flow["carried_in"].astype(int),
        _de_en(lang, "neu", "new"): flow["opened"].astype(int),
        _de_en(lang, "erledigt", "done"): flow["closed"].astype(int),
        _de_en(lang, "verworfen", "dropped"): flow["dropped"].astype(int),
        _de_en(lang, "weiter offen", "still open"): flow["carried_over"].astype(int),
    })


def _open_items_table(items: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Maßnahme", "Action"): items["what"],
        _de_en(lang, "verantwortlich", "owner"): items["owner"].fillna("–"),
        _de_en(lang, "fällig", "due"): items["due"].map(_date),
        _de_en(lang, "aus Schleife", "from loop"): items["loop_raised"].astype("Int64").astype(str),
    })


def _kirkpatrick_table(levels: Any, lang: str) -> Any:
    import pandas as pd

    names = {1: _de_en(lang, "Zufriedenheit", "Reaction"), 2: _de_en(lang, "Lernen", "Learning"),
             3: _de_en(lang, "Verhalten", "Behaviour"), 4: _de_en(lang, "Ergebnisse", "Results")}
    return pd.DataFrame({
        _de_en(lang, "Ebene", "Level"): [f"{int(v)} {names.get(int(v), '')}" for v in levels["level"]],
        _de_en(lang, "Kennzahl", "Indicator"): [
            "; ".join(label(i.strip(), lang) for i in str(v).split(";")) if isinstance(v, str)
            else "–" for v in levels["indicators"]],
        _de_en(lang, "Wert", "Value"): levels["value"],
        _de_en(lang, "Einheit", "Unit"): [label(u, lang) if isinstance(u, str) else "–"
                                          for u in levels["unit"]],
    })


def _needs_table(prio: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Rang", "Rank"): prio["rank"].astype(int),
        _de_en(lang, "Thema", "Topic"): [topic_name(t, lang) for t in prio["topic"]],
        _de_en(lang, "Wichtigkeit", "Importance"): prio["importance"],
        _de_en(lang, "heutige Kompetenz", "Current competence"): prio["competence"],
        _de_en(lang, "Lücke", "Gap"): prio["gap"],
    })


def _eur(value: float, lang: str) -> str:
    text_ = f"{value:,.0f}"
    return (text_.replace(",", ".") + " €") if lang != "en" else f"EUR {text_}"


def _roi_text(result: Any, lang: str) -> str:
    if lang == "en":
        return (f"Costs {_eur(result['costs'], lang)}, monetised benefits "
                f"{_eur(result['benefits'], lang)}: every euro spent returned "
                f"{_num(result['bcr'], 2, lang)} euros (ROI {_num(result['roi_percent'], 0, lang)}%).")
    return (f"Kosten {_eur(result['costs'], lang)}, bezifferter Nutzen "
            f"{_eur(result['benefits'], lang)}: Jeder eingesetzte Euro brachte "
            f"{_num(result['bcr'], 2, lang)} Euro zurück (ROI {_num(result['roi_percent'], 0, lang)} %).")


def _pilot_summary(kf: Mapping[str, Any], lang: str) -> str:
    en = lang == "en"
    parts = [(f"{kf['n_participants']} people took part in this pilot project."
              if en else f"An diesem Pilotprojekt haben {kf['n_participants']} Personen teilgenommen.")]
    effects = kf.get("effects", {})
    if effects:
        best = max(effects, key=lambda s: effects[s]["mean_diff"])
        diff = effects[best]["mean_diff"]
        parts.append(
            f"Their self-assessed skills grew most in the area “{text(best, lang)}” "
            f"(+{_num(diff, 2, lang)} points on a 1–5 scale)." if en else
            f"Ihre selbst eingeschätzten Kompetenzen wuchsen am stärksten im Bereich "
            f"„{text(best, lang)}“ (+{_num(diff, 2, lang)} Punkte auf der Skala 1–5).")
    gas = kf.get("gas")
    if gas:
        reached = gas["t_follow_up"] is not None and gas["t_follow_up"] >= 50
        parts.append(
            ("The project goals were reached as expected or better overall." if reached else
             "Overall, the project goals were not yet fully reached.") if en else
            ("Die Projektziele wurden insgesamt wie erwartet oder besser erreicht." if reached else
             "Die Projektziele wurden insgesamt noch nicht ganz erreicht."))
    actions = kf.get("action_items")
    if actions:
        parts.append(
            f"Of {actions['total']} agreed action items, {actions['done']} are done and "
            f"{actions['open']} still open." if en else
            f"Von {actions['total']} vereinbarten Maßnahmen sind {actions['done']} erledigt und "
            f"{actions['open']} noch offen.")
    money = kf.get("roi")
    if money:
        gain = money["roi_percent"] >= 0
        parts.append(
            (f"The benefits exceed the costs (ROI {_num(money['roi_percent'], 0, lang)}%)." if gain
             else f"So far the costs exceed the benefits (ROI {_num(money['roi_percent'], 0, lang)}%).")
            if en else
            (f"Der Nutzen übersteigt die Kosten (ROI {_num(money['roi_percent'], 0, lang)} %)." if gain
             else f"Bisher übersteigen die Kosten den Nutzen (ROI {_num(money['roi_percent'], 0, lang)} %)."))
    return " ".join(parts)


# ------------------------------------------------------------------ drawing
def _plot(name: str, *args: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Call ``transferkit.plots.<name>`` on ``ax`` (the report's figures use the shared plots)."""
    from transferkit import plots

    return getattr(plots, name)(*args, ax=ax, **kwargs)


def _bars(ax: Any, series: Any, lang: str, xde: str, xen: str, yde: str, yen: str) -> Any:
    ax.bar([str(i) for i in series.index], series.to_numpy(), color="#4C72B0")
    ax.set_xlabel(_de_en(lang, xde, xen))
    ax.set_ylabel(_de_en(lang, yde, yen))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _slopes(ax: Any, long: Any, lang: str) -> Any:
    colours = {"dig": "#4C72B0", "soft": "#DD8452", "sus": "#55A868"}
    x = {"pre": 0, "post": 1}
    for k, scale in enumerate(SCALES):
        part = long[long["scale"] == scale]
        wide = part.pivot_table(index="participant", columns="time", values="score",
                                aggfunc="first").dropna()
        if not {"pre", "post"} <= set(wide.columns):
            continue
        offset = k * 2.5
        for _, row in wide.iterrows():
            ax.plot([offset + x["pre"], offset + x["post"]], [row["pre"], row["post"]],
                    color="#bbbbbb", lw=0.7, zorder=1)
        ax.plot([offset, offset + 1], [wide["pre"].mean(), wide["post"].mean()],
                color=colours[scale], lw=3, marker="o", zorder=2, label=text(scale, lang))
    ticks = [k * 2.5 + d for k in range(len(SCALES)) for d in (0, 1)]
    ax.set_xticks(ticks, [text(t, lang) for _ in SCALES for t in ("pre", "post")])
    ax.set_ylim(1, 5)
    ax.set_ylabel(_de_en(lang, "Selbsteinschätzung (1–5)", "Self-assessment (1–5)"))
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _gas(ax: Any, goals: Any, lang: str) -> Any:
    labels = [str(g)[:45] for g in goals["goal"]]
    y = range(len(goals))
    ax.scatter(goals["baseline"], y, facecolors="none", edgecolors="#4C72B0", s=70,
               label=_de_en(lang, "Beginn", "start"))
    follow = goals["follow_up"].astype("Float64").to_numpy(dtype="float64", na_value=float("nan"))
    ax.scatter(follow, y, color="#4C72B0", s=70, label=_de_en(lang, "Ende", "end"))
    for yy, (b, f) in enumerate(zip(goals["baseline"], follow, strict=True)):
        if not math.isnan(f):
            ax.plot([b, f], [yy, yy], color="#4C72B0", lw=1)
    ax.axvline(0, color="#999", ls="--", lw=1)
    ax.set_yticks(list(y), labels)
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_xlim(-2.5, 2.5)
    ax.invert_yaxis()
    ax.set_xlabel(_de_en(lang, "Zielerreichung (−2 … +2)", "Attainment (−2 … +2)"))
    ax.legend(frameon=False, loc="lower right")
    return ax


def _trends(ax: Any, trends: Any, lang: str) -> Any:
    names = _PHASE_NAMES.get(lang, _PHASE_NAMES["de"])
    for metric, part in trends.groupby("metric", sort=False):
        ax.plot(part["loop"].astype(int), part["mean"], marker="o", label=names.get(str(metric)))
    ax.set_xticks(sorted({int(v) for v in trends["loop"]}))
    ax.set_ylim(1, 5)
    ax.set_xlabel(_de_en(lang, "Reflexionsschleife", "Reflection loop"))
    ax.set_ylabel(_de_en(lang, "Bewertung (1–5)", "Rating (1–5)"))
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _cost_bars(ax: Any, costs: Any, benefits: Any, lang: str) -> Any:
    bottom = 0.0
    for _, row in costs.iterrows():
        ax.bar(_de_en(lang, "Kosten", "Costs"), row["amount_eur"], bottom=bottom,
               color="#C44E52", edgecolor="white")
        ax.text(0, bottom + row["amount_eur"] / 2, label(row["cost_item"], lang),
                ha="center", va="center", fontsize=7, color="white")
        bottom += row["amount_eur"]
    bottom = 0.0
    for _, row in benefits.iterrows():
        ax.bar(_de_en(lang, "Nutzen", "Benefits"), row["amount_eur"], bottom=bottom,
               color="#55A868", edgecolor="white")
        ax.text(1, bottom + row["amount_eur"] / 2, label(row["benefit_item"], lang),
                ha="center", va="center", fontsize=7, color="white")
        bottom += row["amount_eur"]
    ax.set_ylabel("EUR")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# ------------------------------------------------------------------ network report
#: Smallest group shown in anonymous comparisons; smaller groups are suppressed.
MIN_GROUP = 3


def _network_name(store: Any) -> str:
    networks = store.networks()
    return str(networks["name"].iloc[0]) if len(networks) else "Netzwerk"


def effects_by_pilot(assessment: Any) -> Any:
    """:func:`~transferkit.evaluation.prepost` of each scale per pilot: one row per scale and pilot."""
    import pandas as pd

    from transferkit.evaluation import prepost

    long = scale_scores_long(assessment)
    parts = []
    for scale in SCALES:
        part = prepost(long[long["scale"] == scale], "pre", "post", subject="participant",
                       group="pilot_id", within="time", dv="score", overall=False)
        part.insert(0, "scale", scale)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def company_benchmark(store: Any, company_id: str, lang: str = "de") -> Any:
    """One company against the pooled rest of the network, never showing another company.

    Rows: self-assessed change per scale, loop satisfaction, willingness to recommend
    and the mean needs gap. Peers are pooled; a value is suppressed (NaN, with a note)
    when the company has fewer than :data:`MIN_GROUP` people, or the peers fewer than
    :data:`MIN_GROUP` companies or people.
    """
    import numpy as np
    import pandas as pd

    from transferkit.evaluation import nps

    company_of = _company_of(store)
    rows: list[dict[str, Any]] = []

    def add(metric: str, own: Any, peer: Any, own_companies: int = 1) -> None:
        own_vals = pd.Series(own, dtype="float64").dropna()
        peer_vals = pd.DataFrame(peer, columns=["company_id", "value"]).dropna()
        peer_companies = peer_vals["company_id"].nunique()
        ok_own, ok_peer = len(own_vals) >= MIN_GROUP, (
            peer_companies >= MIN_GROUP and len(peer_vals) >= MIN_GROUP)
        rows.append({
            "metric": metric,
            "company": float(own_vals.mean()) if ok_own else np.nan,
            "company_n": len(own_vals),
            "peers": float(peer_vals["value"].mean()) if ok_peer else np.nan,
            "peers_n": len(peer_vals), "peer_companies": int(peer_companies),
            "suppressed": not (ok_own and ok_peer),
        })

    assessment = self_assessment(store)
    long = scale_scores_long(assessment)
    wide = long.pivot_table(index=["participant", "company_id", "scale"], columns="time",
                            values="score", aggfunc="first").reset_index()
    if {"pre", "post"} <= set(wide.columns):
        wide["change"] = wide["post"] - wide["pre"]
        for scale in SCALES:
            part = wide[wide["scale"] == scale]
            mine = part["company_id"] == company_id
            add(f"change_{scale}", part.loc[mine, "change"],
                part.loc[~mine, ["company_id", "change"]].to_numpy())
    ratings = loop_ratings(store)
    if len(ratings):
        per_person = ratings.groupby("participant")["loop_satisfaction"].mean().reset_index()
        per_person["company_id"] = per_person["participant"].map(company_of)
        mine = per_person["company_id"] == company_id
        add("loop_satisfaction", per_person.loc[mine, "loop_satisfaction"],
            per_person.loc[~mine, ["company_id", "loop_satisfaction"]].to_numpy())
    feedback = training_feedback(store)
    if len(feedback):
        feedback = feedback.assign(company_id=feedback["participant"].map(company_of))
        mine = feedback["company_id"] == company_id
        # NPS is a share, not a mean: compute it for both groups from their answers
        own, peer = feedback.loc[mine, "recommend"], feedback.loc[~mine]
        add("recommend", own, peer[["company_id", "recommend"]].to_numpy())
        row = rows[-1]
        if not row["suppressed"]:
            row["company"] = float(nps(own)["nps"])
            row["peers"] = float(nps(peer["recommend"])["nps"])
        row["metric"] = "nps"
    need = needs(store)
    if len(need):
        gaps = need.assign(gap=need["importance"] - need["competence"])
        per_person = gaps.groupby(["participant", "company_id"], as_index=False)["gap"].mean()
        mine = per_person["company_id"] == company_id
        add("needs_gap", per_person.loc[mine, "gap"],
            per_person.loc[~mine, ["company_id", "gap"]].to_numpy())
    return pd.DataFrame(rows)


_METRIC_NAMES = {
    "de": {"change_dig": "Veränderung digitale Kompetenzen (Punkte)",
           "change_soft": "Veränderung Soft Skills (Punkte)",
           "change_sus": "Veränderung Nachhaltigkeit (Punkte)",
           "loop_satisfaction": "Zufriedenheit mit den Schleifen (1–5)",
           "nps": "Weiterempfehlung (NPS, −100…100)",
           "needs_gap": "Mittlere Bedarfslücke (Wichtigkeit − Kompetenz)"},
    "en": {"change_dig": "Change in digital skills (points)",
           "change_soft": "Change in soft skills (points)",
           "change_sus": "Change in sustainability (points)",
           "loop_satisfaction": "Satisfaction with the loops (1–5)",
           "nps": "Willingness to recommend (NPS, −100…100)",
           "needs_gap": "Mean needs gap (importance − competence)"},
}


def network_report(store: Any, company_id: str = "", lang: str = "de") -> Report:
    """Everything the network report shows: all pilots side by side, optionally the
    anonymous benchmark of ``company_id`` against its peers."""
    import pandas as pd

    from transferkit.evaluation import gas_summary, loop_trends

    en = lang == "en"
    pilots = store.pilots()
    companies = store.companies()
    people = store.participants()
    name = _network_name(store)
    report = Report(
        title=_de_en(lang, f"Netzwerkbericht: {name}", f"Network report: {name}"),
        subtitle=_de_en(lang, f"{len(pilots)} Pilotprojekte · {len(companies)} Unternehmen · "
                              f"{len(people)} Teilnehmende",
                        f"{len(pilots)} pilot projects · {len(companies)} companies · "
                        f"{len(people)} participants"),
        summary="", lang=lang)
    kf: dict[str, Any] = {"title": report.title, "n_pilots": len(pilots),
                          "n_companies": len(companies), "n_participants": len(people)}
    title_col = "title_en" if en else "title_de"

    # overview
    goals = gas_goals(store)
    gas = gas_summary(goals, by="pilot_id") if len(goals) else pd.DataFrame()
    overview = pd.DataFrame({
        _de_en(lang, "Pilot", "Pilot"): pilots["pilot_id"],
        _de_en(lang, "Thema", "Title"): pilots[title_col],
        _de_en(lang, "Unternehmen", "Companies"): [
            len([c for c in str(v).split(";") if c]) for v in pilots["companies"]],
        _de_en(lang, "Teilnehmende", "Participants"): [
            int((people["pilot_id"] == p).sum()) for p in pilots["pilot_id"]],
        _de_en(lang, "Schleifen", "Loops"): pilots["loops"].astype("Int64").astype(str),
    })
    report.sections["overview"] = Section(
        "overview", _de_en(lang, "Die Pilotprojekte", "The pilot projects"),
        tables=[(overview, "")])

    # effects (forest plot)
    sec = Section("effects", _de_en(lang, "Wirkung im Vergleich", "Effects compared"),
                  empty=text("no_data", lang))
    assessment = self_assessment(store)
    if len(assessment):
        effects = effects_by_pilot(assessment)
        kf["effects"] = {
            str(p): {str(r["scale"]): {"n": int(r["n"]), "mean_diff": r["mean_diff"],
                                       "d_av": r["d_av"]}
                     for _, r in part.iterrows()}
            for p, part in effects.groupby("pilot_id")
        }
        dig = effects[effects["scale"] == "dig"].sort_values("mean_diff", ascending=False)
        sec.text = _de_en(
            lang,
            "Die stärkste Veränderung der digitalen Kompetenzen zeigte "
            f"{dig['pilot_id'].iloc[0]} (+{_num(dig['mean_diff'].iloc[0], 2, lang)} Punkte).",
            f"{dig['pilot_id'].iloc[0]} showed the largest change in digital skills "
            f"(+{_num(dig['mean_diff'].iloc[0], 2, lang)} points).")
        sec.figures.append((partial(_forest, effects=effects, lang=lang), _de_en(
            lang,
            "Veränderung der Selbsteinschätzung (nachher − vorher, Punkte auf der Skala 1–5) je "
            "Pilotprojekt und Kompetenzbereich, mit 95 %-Intervall. Liegt das Intervall ganz "
            "rechts der Null, ist die Verbesserung deutlich.",
            "Change in self-assessment (after − before, points on the 1–5 scale) per pilot "
            "and skill area, with 95% interval. An interval entirely right of zero is a clear "
            "improvement.")))
    report.sections["effects"] = sec

    # GAS comparison
    sec = Section("gas", _de_en(lang, "Zielerreichung im Vergleich", "Goal attainment compared"),
                  empty=text("no_data", lang))
    if len(gas):
        kf["gas"] = {str(r["pilot_id"]): {"t_baseline": r["t_baseline"],
                                          "t_follow_up": r["t_follow_up"]}
                     for _, r in gas.iterrows()}
        sec.figures.append((partial(_plot, "plot_gas", goals, by="pilot_id", lang=lang), _de_en(
            lang, "GAS-T-Wert je Pilotprojekt zu Beginn und am Ende; 50 bedeutet: Ziele wie "
                  "erwartet erreicht.",
            "GAS T-score per pilot at the start and at the end; 50 means goals reached as "
            "expected.")))
    report.sections["gas"] = sec

    # participation by size, sector and role (groups of fewer than MIN_GROUP companies hidden)
    sec = Section("participation", _de_en(lang, "Beteiligung nach Unternehmensgröße, Branche "
                                                "und Rolle",
                                          "Participation by company size, sector and role"))
    per_company = people.groupby("company_id").size()
    comp = companies.assign(participants=companies["company_id"].map(per_company).fillna(0))
    breakdown = []
    for column, name_ in (("size_class", _de_en(lang, "Größe", "Size")),
                          ("sector", _de_en(lang, "Branche", "Sector"))):
        for value, group in comp.groupby(column):
            breakdown.append({"key": f"{column}:{value}", "group": name_,
                              "value": label(value, lang), "companies": len(group),
                              "participants": int(group["participants"].sum())})
    roles = comp.assign(role=comp["roles"].str.split(";")).explode("role")
    for value, group in roles.groupby("role"):
        if value:
            breakdown.append({"key": f"role:{value}", "group": _de_en(lang, "Rolle", "Role"),
                              "value": label(value, lang), "companies": len(group),
                              "participants": int(group["participants"].sum())})
    table = pd.DataFrame(breakdown)
    hidden = table["companies"] < MIN_GROUP
    table["participants"] = table["participants"].astype("object").where(~hidden, "–")
    kf["participation"] = {f"{r['key']}": r["participants"] for _, r in table.iterrows()}
    table = table.drop(columns="key")
    sec.tables.append((table.rename(columns={
        "group": _de_en(lang, "Merkmal", "Feature"), "value": _de_en(lang, "Ausprägung", "Value"),
        "companies": _de_en(lang, "Unternehmen", "Companies"),
        "participants": _de_en(lang, "Teilnehmende", "Participants")}), _de_en(
        lang, f"Gruppen mit weniger als {MIN_GROUP} Unternehmen sind ausgeblendet (–).",
        f"Groups of fewer than {MIN_GROUP} companies are hidden (–).")))
    report.sections["participation"] = sec

    # loop satisfaction across pilots
    sec = Section("loops", _de_en(lang, "Reflexionsschleifen im Vergleich",
                                  "Reflection loops compared"), empty=text("no_data", lang))
    ratings = loop_ratings(store)
    if len(ratings):
        trends = loop_trends(ratings, "loop_satisfaction")
        kf["loop_satisfaction_slope"] = {
            str(p): float(part["slope"].iloc[0]) for p, part in trends.groupby("pilot_id")}
        sec.figures.append((partial(_satisfaction_trends, ratings=ratings, lang=lang), _de_en(
            lang, "Zufriedenheit mit den Reflexionsschleifen (1–5) je Pilotprojekt, "
                  "Schleife für Schleife.",
            "Satisfaction with the reflection loops (1–5) per pilot, loop by loop.")))
    report.sections["loops"] = sec

    # anonymous benchmark
    if company_id:
        bench = company_benchmark(store, company_id, lang)
        names = _METRIC_NAMES.get(lang, _METRIC_NAMES["de"])
        kf["benchmark"] = {"company_id": company_id, "metrics": {
            str(r["metric"]): {"company": r["company"], "peers": r["peers"],
                               "suppressed": bool(r["suppressed"])}
            for _, r in bench.iterrows()}}
        cname = dict(zip(companies["company_id"], companies["name"], strict=True)).get(
            company_id, company_id)
        table = pd.DataFrame({
            _de_en(lang, "Kennzahl", "Measure"): [names.get(m, m) for m in bench["metric"]],
            cname: bench["company"],
            _de_en(lang, "übrige Unternehmen", "other companies"): bench["peers"],
        })
        report.sections["benchmark"] = Section(
            "benchmark", _de_en(lang, f"Anonymer Vergleich: {cname}",
                                f"Anonymous benchmark: {cname}"),
            text=_de_en(
                lang,
                "Die Werte des Unternehmens im Vergleich zum Durchschnitt aller übrigen "
                "Unternehmen des Netzwerks. Kein anderes Unternehmen wird einzeln gezeigt; "
                f"Werte aus weniger als {MIN_GROUP} Antworten oder Unternehmen sind ausgeblendet (–).",
                "The company's values against the average of all other companies in the "
                "network. No other company is shown on its own; values from fewer than "
                f"{MIN_GROUP} answers or companies are hidden (–)."),
            tables=[(table, "")])
    report.summary = _network_summary(kf, lang)
    report.key_figures = plain(kf)
    return report


def _network_summary(kf: Mapping[str, Any], lang: str) -> str:
    parts = [_de_en(
        lang,
        f"Im Netzwerk arbeiteten {kf['n_companies']} Unternehmen mit {kf['n_participants']} "
        f"Beschäftigten in {kf['n_pilots']} wissenschaftlich begleiteten Pilotprojekten.",
        f"{kf['n_companies']} companies with {kf['n_participants']} employees worked in "
        f"{kf['n_pilots']} scientifically accompanied pilot projects.")]
    effects = kf.get("effects", {})
    improved = [p for p, e in effects.items() if e.get("dig", {}).get("mean_diff", 0) > 0.3]
    if effects:
        parts.append(_de_en(
            lang,
            f"In {len(improved)} von {len(effects)} Pilotprojekten stiegen die selbst "
            "eingeschätzten digitalen Kompetenzen spürbar (um mehr als 0,3 Punkte).",
            f"In {len(improved)} of {len(effects)} pilots, self-assessed digital skills rose "
            "noticeably (by more than 0.3 points)."))
    gas = kf.get("gas", {})
    if gas:
        reached = [p for p, g in gas.items() if (g.get("t_follow_up") or 0) >= 50]
        parts.append(_de_en(
            lang, f"{len(reached)} Pilotprojekte erreichten ihre Ziele wie erwartet oder besser.",
            f"{len(reached)} pilots reached their goals as expected or better."))
    if "benchmark" in kf:
        parts.append(_de_en(
            lang, "Am Ende steht ein anonymer Vergleich eines Unternehmens mit den übrigen.",
            "The report ends with an anonymous benchmark of one company against the others."))
    return " ".join(parts)


def _satisfaction_trends(ax: Any, ratings: Any, lang: str) -> Any:
    """The shared loop-trend plot of loop satisfaction, one line per pilot."""
    from transferkit.plots import plot_loop_trends

    ax = plot_loop_trends(ratings, "loop_satisfaction", ax=ax, lang=lang)
    ax.set_ylabel(_de_en(lang, "Zufriedenheit (1–5)", "Satisfaction (1–5)"))
    return ax


def _forest(ax: Any, effects: Any, lang: str) -> Any:
    colours = {"dig": "#4C72B0", "soft": "#DD8452", "sus": "#55A868"}
    pilots = sorted(effects["pilot_id"].unique())
    for k, scale in enumerate(SCALES):
        part = effects[effects["scale"] == scale].set_index("pilot_id").reindex(pilots)
        y = [i + (k - 1) * 0.25 for i in range(len(pilots))]
        ax.errorbar(part["mean_diff"], y,
                    xerr=[part["mean_diff"] - part["ci95_low"], part["ci95_high"] - part["mean_diff"]],
                    fmt="o", color=colours[scale], capsize=2, label=text(scale, lang))
    ax.axvline(0, color="#999", ls="--", lw=1)
    ax.set_yticks(range(len(pilots)), pilots)
    ax.invert_yaxis()
    ax.set_xlabel(_de_en(lang, "Veränderung (Punkte)", "Change (points)"))
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# ------------------------------------------------------------------ needs report
_FORMAT_NAMES = {
    "de": {"micro_learning": "Micro-Learning (3–10 min)", "e_learning": "E-Learning-Modul",
           "blended": "Blended Learning", "workshop": "Kurzworkshop",
           "wissensrunde": "Wissensrunde", "peer_case": "Kollegiale Fallberatung",
           "tandem": "Lerntandem / Lernpartnerschaft"},
    "en": {"micro_learning": "Micro-learning (3–10 min)", "e_learning": "E-learning module",
           "blended": "Blended learning", "workshop": "Short workshop",
           "wissensrunde": "Knowledge round", "peer_case": "Peer case discussion",
           "tandem": "Learning tandem / partnership"},
}


def format_name(value: str, lang: str = "de") -> str:
    """The readable name of a learning format."""
    return _FORMAT_NAMES.get(lang, _FORMAT_NAMES["de"]).get(value, value)


def preferred_formats(store: Any, company_id: str = "") -> Any:
    """Share of respondents preferring each learning format, and their minutes per week."""
    import pandas as pd

    frame = store.responses(template="needs_analysis")
    if company_id and len(frame):
        frame = frame[frame["participant"].map(_company_of(store)) == company_id]
    if frame.empty or "formats" not in frame.columns:
        return pd.DataFrame(columns=["format", "n", "pct"]), float("nan")
    chosen = frame["formats"].dropna().explode().dropna()
    counts = chosen.value_counts()
    table = pd.DataFrame({"format": counts.index.astype(str), "n": counts.to_numpy(),
                          "pct": counts.to_numpy() / len(frame) * 100})
    minutes = pd.to_numeric(frame.get("minutes_per_week"), errors="coerce")
    return table.reset_index(drop=True), float(minutes.median())


def needs_report(store: Any, company_id: str = "", lang: str = "de") -> Report:
    """Everything the needs report shows for one company, or the whole network when
    ``company_id`` is empty."""
    import pandas as pd

    from transferkit.datasets.generate import HOURLY_RATE_EUR
    from transferkit.evaluation import format_cost, needs_priorities

    companies = store.companies()
    names = dict(zip(companies["company_id"], companies["name"], strict=True))
    who = names.get(company_id, company_id) if company_id else _network_name(store)
    report = Report(
        title=_de_en(lang, f"Bedarfsanalyse: {who}", f"Needs analysis: {who}"),
        subtitle=_de_en(lang, "Welche Lernthemen sind am wichtigsten – und in welcher Form?",
                        "Which learning topics matter most – and in which format?"),
        summary="", lang=lang)
    kf: dict[str, Any] = {"title": report.title, "company_id": company_id or None}
    need = needs(store)
    prio = needs_priorities(need, by="company_id") if len(need) else pd.DataFrame()
    if len(prio):
        prio = (prio[prio["company_id"] == company_id] if company_id
                else prio[prio["scope"] == "network"])
    mine = need[need["company_id"] == company_id] if company_id else need
    kf["n_respondents"] = int(mine["participant"].nunique())

    sec = Section("priorities", _de_en(lang, "Prioritäten", "Priorities"),
                  empty=text("no_data", lang))
    if len(prio):
        prio = prio.sort_values("rank")
        kf["priorities"] = [{"topic": str(r["topic"]), "rank": int(r["rank"]),
                             "priority": r["priority"], "gap": r["gap"]}
                            for _, r in prio.iterrows()]
        sec.text = _de_en(
            lang,
            "Die Priorität verbindet zwei Fragen: Wie wichtig ist ein Thema für die Arbeit, "
            "und wie gut beherrschen es die Beschäftigten heute? Hohe Wichtigkeit bei geringer "
            "Kompetenz ergibt hohe Priorität.",
            "Priority combines two questions: how important is a topic for the work, and how "
            "well do employees master it today? High importance with low competence means high "
            "priority.")
        sec.tables.append((_needs_table(prio.head(8), lang), ""))
    report.sections["priorities"] = sec

    sec = Section("portfolio", _de_en(lang, "Portfolio der Lernthemen", "Portfolio of topics"),
                  empty=text("no_data", lang))
    if len(prio):
        sec.figures.append((partial(_portfolio, needs=mine, lang=lang), _de_en(
            lang,
            "Jedes Thema nach Wichtigkeit (senkrecht) und heutiger Kompetenz (waagrecht), "
            "Skala 1–5. Oben links stehen die dringendsten Lernthemen.",
            "Each topic by importance (vertical) and current competence (horizontal), scale "
            "1–5. The most urgent topics are top left.")))
    report.sections["portfolio"] = sec

    sec = Section("formats", _de_en(lang, "Bevorzugte Lernformate und Zeitaufwand",
                                    "Preferred learning formats and time cost"),
                  empty=text("no_data", lang))
    formats, minutes = preferred_formats(store, company_id)
    if len(formats):
        kf["preferred_formats"] = {str(r["format"]): int(r["n"]) for _, r in formats.iterrows()}
        kf["median_minutes_per_week"] = minutes
        sec.text = _de_en(
            lang,
            f"Die Befragten können im Mittel (Median) {_num(minutes, 0, lang)} Minuten pro Woche "
            "für das Lernen aufbringen.",
            f"Respondents can spend a median of {_num(minutes, 0, lang)} minutes per week on "
            "learning.")
        sec.figures.append((partial(_format_bars, formats=formats, lang=lang), _de_en(
            lang, "Anteil der Befragten, die ein Lernformat bevorzugen (Mehrfachnennung möglich).",
            "Share of respondents preferring each learning format (several answers possible).")))
    plan = demo_table(store, "format_plan")
    if plan is not None:
        if company_id:
            plan = plan[plan["company_id"] == company_id]
        if len(plan):
            cost = format_cost(plan, HOURLY_RATE_EUR, by="format")
            kf["format_cost_eur"] = float(cost["cost_eur"].sum())
            kf["format_hours"] = float(cost["hours"].sum())
            sec.tables.append((pd.DataFrame({
                _de_en(lang, "Format", "Format"): [format_name(f, lang) for f in cost["format"]],
                _de_en(lang, "Termine", "Sessions"): cost["sessions"].astype(int),
                _de_en(lang, "Stunden", "Hours"): cost["hours"],
                _de_en(lang, "Kosten der Arbeitszeit (€)", "Cost of working time (EUR)"):
                    cost["cost_eur"],
            }), _de_en(lang, f"Geplante Lernzeit und ihre Kosten (Arbeitszeit zu "
                             f"{HOURLY_RATE_EUR} € je Stunde)",
                       f"Planned learning time and its cost (working time at EUR "
                       f"{HOURLY_RATE_EUR} per hour)")))
    report.sections["formats"] = sec

    parts = [_de_en(lang, f"An der Bedarfsanalyse haben {kf['n_respondents']} Beschäftigte "
                          "teilgenommen.",
                    f"{kf['n_respondents']} employees took part in the needs analysis.")]
    if kf.get("priorities"):
        top = [topic_name(p["topic"], lang) for p in kf["priorities"][:3]]
        parts.append(_de_en(lang, f"Am dringendsten sind: {', '.join(top)}.",
                            f"The most urgent topics are: {', '.join(top)}."))
    if kf.get("preferred_formats"):
        best = max(kf["preferred_formats"], key=kf["preferred_formats"].get)
        parts.append(_de_en(lang, f"Am liebsten lernen die Beschäftigten mit "
                                  f"„{format_name(best, lang)}“.",
                            f"Employees most like to learn with “{format_name(best, lang)}”."))
    report.summary = " ".join(parts)
    report.key_figures = plain(kf)
    return report


def _portfolio(ax: Any, needs: Any, lang: str) -> Any:
    """The shared needs portfolio, with readable topic names instead of codes."""
    from transferkit.plots import plot_needs_portfolio

    ax = plot_needs_portfolio(needs, ax=ax, lang=lang)
    for label_ in ax.texts:
        label_.set_text(topic_name(label_.get_text(), lang))
    return ax


def _format_bars(ax: Any, formats: Any, lang: str) -> Any:
    ordered = formats.sort_values("pct")
    ax.barh([format_name(f, lang) for f in ordered["format"]], ordered["pct"], color="#4C72B0")
    ax.set_xlabel(_de_en(lang, "Anteil der Befragten (%)", "Share of respondents (%)"))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# ------------------------------------------------------------------ loop protocol
_PHASES = {
    "de": {"information": "Information", "anwendung": "Anwendung", "austausch": "Austausch",
           "optimierung": "Optimierung"},
    "en": {"information": "Information", "anwendung": "Application", "austausch": "Exchange",
           "optimierung": "Optimisation"},
}
_PHASE_TEXTS = {"information": "learned", "anwendung": "tried", "austausch": "worked",
                "optimierung": "lessons"}


def loop_indicators(store: Any, pilot_id: str, loops: Any = (), *,
                    template: Any = "reflection_loop") -> Any:
    """Key figures of each reflection loop of a pilot, computed now from its answer sheets and
    action items (:func:`transferkit.evaluation.loops.loop_indicators`; ratings
    :data:`LOOP_RATINGS`). ``loops`` are added even without answer sheets."""
    from transferkit.evaluation.loops import loop_indicators as compute

    frame = store.responses(template=template, pilot=pilot_id)
    return compute(frame, store.action_items(pilot_id), ratings=list(LOOP_RATINGS.values()),
                   loops=[int(n) for n in loops])


def loop_figures(store: Any, pilot_id: str, loops: Any = ()) -> Any:
    """Key figures of each loop of a pilot: as stored when the moderator closed it
    (``Store.loop_closings``), else computed now (:func:`loop_indicators`).

    Columns of :func:`loop_indicators`, then ``closed_at`` (``NaT`` while open)
    and ``dots`` (the moderator's dot vote on groups; empty while open).
    """
    import pandas as pd

    closings = store.loop_closings(pilot_id).set_index("loop")
    figures = loop_indicators(store, pilot_id, [*loops, *closings.index]).set_index("loop")
    for column in figures.columns.intersection(closings.columns):
        figures.loc[closings.index, column] = closings[column]
    figures["closed_at"] = closings["closed_at"].reindex(figures.index)
    dots = closings["dots"].reindex(figures.index)
    figures["dots"] = pd.Series([d if isinstance(d, list) else [] for d in dots],
                                index=figures.index, dtype=object)
    return figures.reset_index()


def loop_protocol(store: Any, pilot_id: str, loop: int, lang: str = "de") -> Report:
    """The protocol of one reflection loop: inputs per phase, votes, decisions (action items
    with owners and due dates) and open items carried over. No participant codes are shown.
    The key figures are those stored when the loop was closed, if it was."""
    import pandas as pd

    pilot = _pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if lang == "en" else pilot["title_de"])
    report = Report(
        title=_de_en(lang, f"Protokoll der Reflexionsschleife {loop}", f"Protocol of reflection "
                     f"loop {loop}"),
        subtitle=f"{pilot_id}: {title}", summary="", lang=lang)
    kf: dict[str, Any] = {"title": f"{report.title} – {pilot_id}", "pilot_id": pilot_id,
                          "loop": loop}
    figures = loop_figures(store, pilot_id, [loop])
    row = figures[figures["loop"] == loop].iloc[0]
    frame = store.responses(template="reflection_loop", pilot=pilot_id, loop=loop)
    kf["n_participants"] = int(row["participants"])
    phases = _PHASES.get(lang, _PHASES["de"])
    kf["phases"] = {}
    for phase, label in phases.items():
        part = frame[frame["phase"] == phase] if len(frame) else frame
        rating = LOOP_RATINGS[phase]
        mean = row[f"{rating}_mean"]
        texts = [str(t) for t in part.get(_PHASE_TEXTS[phase], pd.Series(dtype=object)).dropna()
                 if str(t).strip()]
        kf["phases"][phase] = {"n": int(row[f"{rating}_n"]),
                               "mean_rating": None if pd.isna(mean) else float(mean)}
        sec = Section(phase, _de_en(lang, f"Phase {label}", f"Phase: {label}"),
                      empty=_de_en(lang, "Keine Beiträge.", "No input."))
        if kf["phases"][phase]["n"] or texts:
            n = kf["phases"][phase]["n"]
            sec.text = _de_en(
                lang, f"{n} Beiträge; mittlere Bewertung "
                      f"{_num(kf['phases'][phase]['mean_rating'], 1, lang)} (1–5).",
                f"{n} contributions; mean rating "
                f"{_num(kf['phases'][phase]['mean_rating'], 1, lang)} (1–5).")
            if texts:
                sec.text += "\n\n" + "\n".join(f"- {t}" for t in dict.fromkeys(texts))
        report.sections[phase] = sec

    # votes (round tables of this pilot and loop) and the moderator's dots on groups
    votes = store.responses(template="round_table", pilot=pilot_id, loop=loop)
    sec = Section("votes", _de_en(lang, "Abstimmung", "Votes"),
                  empty=_de_en(lang, "In dieser Schleife wurde nicht abgestimmt.",
                               "There was no vote in this loop."))
    if len(votes) and "votes" in votes.columns:
        tally: dict[str, int] = {}
        for ballot in votes["votes"].dropna():
            for option, points in dict(ballot).items():
                tally[str(option)] = tally.get(str(option), 0) + int(points)
        if tally:
            kf["votes"] = dict(sorted(tally.items(), key=lambda kv: -kv[1]))
            sec.tables.append((pd.DataFrame({
                _de_en(lang, "Vorschlag", "Proposal"): list(kf["votes"]),
                _de_en(lang, "Punkte", "Points"): list(kf["votes"].values())}), ""))
    if row["dots"]:
        kf["dots"] = {str(d["group"]): int(d["dots"]) for d in row["dots"]}
        sec.tables.append((pd.DataFrame({
            _de_en(lang, "Gruppe", "Group"): list(kf["dots"]),
            _de_en(lang, "Punkte", "Dots"): list(kf["dots"].values())}),
            _de_en(lang, "Punktabfrage der Moderation", "The moderator's dot vote")))
    report.sections["votes"] = sec

    items = store.action_items(pilot_id)
    decided = items[items["loop_raised"] == loop] if len(items) else items
    carried = items[_carried_into(items, loop)] if len(items) else items
    kf["decisions"] = int(row["items_new"])
    kf["carried_over"] = int(row["items_carried_in"])
    sec = Section("decisions", _de_en(lang, "Beschlossene Maßnahmen", "Agreed action items"),
                  empty=_de_en(lang, "Keine neuen Maßnahmen.", "No new action items."))
    if len(decided):
        sec.tables.append((_items_table(decided, lang), ""))
    report.sections["decisions"] = sec
    sec = Section("carried", _de_en(lang, "Offene Punkte aus früheren Schleifen",
                                    "Open items carried over from earlier loops"),
                  empty=_de_en(lang, "Keine offenen Punkte.", "No open items."))
    if len(carried):
        sec.tables.append((_items_table(carried, lang), ""))
    report.sections["carried"] = sec
    report.summary = _de_en(
        lang,
        f"In Schleife {loop} haben {kf['n_participants']} Personen mitgewirkt. Es wurden "
        f"{kf['decisions']} Maßnahmen beschlossen; {kf['carried_over']} Punkte aus früheren "
        "Schleifen standen noch auf der Liste.",
        f"{kf['n_participants']} people took part in loop {loop}. They agreed on "
        f"{kf['decisions']} action items; {kf['carried_over']} items from earlier loops were "
        "still on the list.")
    if pd.notna(row["closed_at"]):
        kf["closed_at"] = row["closed_at"].isoformat()
        when = f"{row['closed_at']:%d.%m.%Y %H:%M} UTC"
        report.summary += _de_en(
            lang, f" Die Moderation hat die Schleife am {when} abgeschlossen; die Kennzahlen "
                  "sind die beim Abschluss gespeicherten.",
            f" The moderator closed the loop on {when}; the key figures are those stored at "
            "closing.")
    report.key_figures = plain(kf)
    return report


def _carried_into(items: Any, loop: int) -> Any:
    """Mask of the items raised before ``loop`` and not yet done or dropped when it began
    (as ``carried_in`` of :func:`transferkit.evaluation.action_item_flow`)."""
    import pandas as pd

    raised = pd.to_numeric(items["loop_raised"], errors="coerce")
    resolved = items["status"].isin(["done", "dropped"])
    closed = pd.to_numeric(items["loop_closed"], errors="coerce").fillna(raised).where(resolved)
    return (raised < loop) & ~(closed < loop)


def _closed_loops_table(closed: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Schleife", "Loop"): closed["loop"].astype(int),
        _de_en(lang, "abgeschlossen", "closed"): closed["closed_at"].map(_date),
        _de_en(lang, "Teilnehmende", "Participants"): closed["participants"].astype(int),
        _de_en(lang, "Zufriedenheit (1–5)", "Satisfaction (1–5)"):
            closed["loop_satisfaction_mean"].astype(float),
        _de_en(lang, "neue Maßnahmen", "new items"): closed["items_new"].astype(int),
        _de_en(lang, "erledigt", "done"): closed["items_done"].astype(int),
        _de_en(lang, "verworfen", "dropped"): closed["items_dropped"].astype(int),
        _de_en(lang, "noch offen", "still open"): closed["items_open"].astype(int),
    })


_STATUS = {"de": {"open": "offen", "done": "erledigt", "carried_over": "übertragen",
                  "dropped": "verworfen"},
           "en": {"open": "open", "done": "done", "carried_over": "carried over",
                  "dropped": "dropped"}}


def status_label(status: str, lang: str = "de") -> str:
    """An action item's status in words (``carried_over`` -> ``übertragen``)."""
    return _STATUS.get(lang, _STATUS["de"]).get(status, status)


def _items_table(items: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Maßnahme", "Action"): items["what"],
        _de_en(lang, "verantwortlich", "owner"): items["owner"].fillna("–"),
        _de_en(lang, "fällig", "due"): items["due"].map(_date),
        _de_en(lang, "Stand heute", "Status now"): items["status"].map(
            lambda s: status_label(s, lang)),
    })
