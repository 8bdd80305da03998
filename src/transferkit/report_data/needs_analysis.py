"""The needs report: priorities of learning topics, their portfolio, preferred learning
formats and the cost of the planned learning time, for one company or the network."""

from __future__ import annotations

from functools import partial
from typing import Any

from transferkit.report_data.common import Report, Section, _de_en, _num, plain
from transferkit.report_data.data import _company_of, _network_name, needs
from transferkit.report_data.figures import _format_bars, _portfolio
from transferkit.report_data.texts import format_name, text, topic_name

__all__ = ["needs_report", "preferred_formats"]


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
    plan = store.format_plans(company_id or None)
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


def _needs_table(prio: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        _de_en(lang, "Rang", "Rank"): prio["rank"].astype(int),
        _de_en(lang, "Thema", "Topic"): [topic_name(t, lang) for t in prio["topic"]],
        _de_en(lang, "Wichtigkeit", "Importance"): prio["importance"],
        _de_en(lang, "heutige Kompetenz", "Current competence"): prio["competence"],
        _de_en(lang, "Lücke", "Gap"): prio["gap"],
    })
