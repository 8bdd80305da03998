"""The needs report: priorities of learning topics, their portfolio, preferred learning
formats and the cost of the planned learning time, for one company or the network."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from transferkit.reports.content.common import Report, Section, de_en, format_number, plain
from transferkit.reports.content.data import company_of, needs, network_name
from transferkit.reports.content.figures import draw_format_bars, draw_portfolio
from transferkit.reports.content.texts import format_name, text, topic_name

__all__ = ["format_rates", "needs_report", "preferred_formats"]


def preferred_formats(store: Any, company_id: str = "") -> Any:
    """Share of respondents preferring each learning format, and their minutes per week."""
    import pandas as pd

    frame = store.responses(template="needs_analysis")
    if company_id and len(frame):
        frame = frame[frame["participant"].map(company_of(store)) == company_id]
    if frame.empty or "formats" not in frame.columns:
        return pd.DataFrame(columns=["format", "n", "pct"]), float("nan")
    chosen = frame["formats"].dropna().explode().dropna()
    counts = chosen.value_counts()
    table = pd.DataFrame({"format": counts.index.astype(str), "n": counts.to_numpy(),
                          "pct": counts.to_numpy() / len(frame) * 100})
    minutes = pd.to_numeric(frame.get("minutes_per_week"), errors="coerce")
    return table.reset_index(drop=True), float(minutes.median())


def format_rates(store: Any, plan: Any) -> tuple[Any, list[str]]:
    """The hourly rate and currency for each row of ``plan`` (``store.format_plans()``).

    A planned format is costed at the rate of the pilot the participant takes part in
    (``store.participants()``; the rate and currency are set per pilot with
    ``store.add_pilot(..., hourly_rate=, currency=)``). A participant registered
    without a pilot takes the rate of their company's pilots when these agree on one
    rate and currency. Returns ``plan`` with the columns ``hourly_rate`` (NaN where no
    rate applies) and ``currency``, and the readable list of what has no rate (pilot
    ids; ``company C1`` for participants without a pilot whose company gives no rate).
    """
    pilots = store.pilots()
    setting = {
        str(r["pilot_id"]): (float(r["hourly_rate"]), str(r["currency"] or "EUR"))
        for _, r in pilots.iterrows()
    }
    of_company: dict[str, list[str]] = {}
    for _, r in pilots.iterrows():
        for company in str(r["companies"] or "").split(";"):
            if company:
                of_company.setdefault(company, []).append(str(r["pilot_id"]))
    people = store.participants()
    pilot_of = {str(c): p for c, p in zip(people["participant"], people["pilot_id"], strict=True)
                if isinstance(p, str) and p}
    rates, currencies, missing = [], [], []
    for participant, company in zip(plan["participant"], plan["company_id"], strict=True):
        pilot = pilot_of.get(str(participant))
        if pilot is not None:
            rate, currency = setting.get(pilot, (math.nan, "EUR"))
            label = pilot
        else:
            theirs = of_company.get(str(company), [])
            options = {setting[p] for p in theirs}
            rate, currency = next(iter(options)) if len(options) == 1 else (math.nan, "EUR")
            unrated = [p for p in theirs if math.isnan(setting[p][0])]
            label = ", ".join(unrated) if len(options) == 1 and unrated else f"company {company}"
        rates.append(rate)
        currencies.append(currency)
        if math.isnan(rate) and label not in missing:
            missing.append(label)
    out = plan.assign(hourly_rate=rates, currency=currencies)
    return out, missing


def _money(value: float, currency: str, lang: str) -> str:
    """An hourly rate for prose: ``48 €`` / ``EUR 48``, ``52,50 CHF`` / ``CHF 52.50``."""
    number = format_number(value, 0 if float(value).is_integer() else 2, lang)
    if lang == "en":
        return f"{currency} {number}"
    return f"{number} {'€' if currency == 'EUR' else currency}"


def _format_cost_table(
    store: Any, plan: Any, kf: dict[str, Any], lang: str
) -> tuple[Any, str, str]:
    """The planned learning time per format, costed where every row has a rate in one
    currency; else hours only. Returns the table, its caption and a note for the text."""
    import pandas as pd

    from transferkit.evaluation import format_cost

    rated, missing = format_rates(store, plan)
    currencies = sorted(set(rated["currency"]))
    hours_only = bool(missing) or len(currencies) != 1
    rate = rated["hourly_rate"].fillna(0.0).reset_index(drop=True)
    rated = rated.reset_index(drop=True).assign(row=range(len(rated)))
    cost = format_cost(rated, rate, by="format", cost_key="row")
    kf["format_hours"] = float(cost["hours"].sum())
    table = pd.DataFrame({
        de_en(lang, "Format", "Format"): [format_name(f, lang) for f in cost["format"]],
        de_en(lang, "Termine", "Sessions"): cost["sessions"].astype(int),
        de_en(lang, "Stunden", "Hours"): cost["hours"],
    })
    if hours_only:
        kf["hourly_rate"] = None
        if missing:
            who = ", ".join(missing)
            note = de_en(
                lang,
                f"Für {who} ist kein Stundensatz hinterlegt. Die Tabelle zeigt deshalb die "
                "geplanten Stunden, keine Kosten (den Stundensatz legt die Begleitforschung "
                "je Pilot im Store fest).",
                f"No hourly rate is set for {who}. The table therefore shows the planned "
                "hours, not their cost (the research team sets the rate per pilot in the "
                "store).")
        else:
            note = de_en(
                lang,
                f"Die Piloten rechnen in verschiedenen Währungen ({', '.join(currencies)}); "
                "die Tabelle zeigt deshalb die geplanten Stunden, keine Kosten.",
                f"The pilots use different currencies ({', '.join(currencies)}); the table "
                "therefore shows the planned hours, not their cost.")
        caption = de_en(lang, "Geplante Lernzeit in Stunden (ohne Kosten: siehe oben)",
                         "Planned learning time in hours (no cost: see above)")
        return table, caption, note
    currency = currencies[0]
    kf["format_currency"] = currency
    kf[f"format_cost_{currency.lower()}"] = float(cost["cost_eur"].sum())
    symbol = "€" if currency == "EUR" and lang != "en" else currency
    table[de_en(lang, f"Kosten der Arbeitszeit ({symbol})",
                 f"Cost of working time ({currency})")] = cost["cost_eur"]
    rates = sorted(set(rated["hourly_rate"]))
    if len(rates) == 1:
        kf["hourly_rate"] = rates[0]
        at = _money(rates[0], currency, lang)
        caption = de_en(lang, f"Geplante Lernzeit und ihre Kosten (Arbeitszeit zu {at} je "
                               "Stunde)",
                         f"Planned learning time and its cost (working time at {at} per hour)")
    else:
        kf["hourly_rate"] = None
        low, high = _money(rates[0], currency, lang), _money(rates[-1], currency, lang)
        caption = de_en(lang, "Geplante Lernzeit und ihre Kosten (Arbeitszeit zum Stundensatz "
                               f"des jeweiligen Piloten, {low} bis {high})",
                         "Planned learning time and its cost (working time at the hourly rate "
                         f"of each pilot, {low} to {high})")
    return table, caption, ""


def needs_report(store: Any, company_id: str = "", lang: str = "de") -> Report:
    """Everything the needs report shows for one company, or the whole network when
    ``company_id`` is empty.

    The planned learning time is costed at the hourly rate of each participant's pilot
    (:func:`format_rates`): for a company, the rates of the pilots its participants
    take part in; for the network, of all pilots. Where a planned format has no rate
    (or the pilots use different currencies) the report says so and shows hours only.
    """
    import pandas as pd

    from transferkit.evaluation import needs_priorities

    companies = store.companies()
    names = dict(zip(companies["company_id"], companies["name"], strict=True))
    who = names.get(company_id, company_id) if company_id else network_name(store)
    report = Report(
        title=de_en(lang, f"Bedarfsanalyse: {who}", f"Needs analysis: {who}"),
        subtitle=de_en(lang, "Welche Lernthemen sind am wichtigsten – und in welcher Form?",
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

    sec = Section("priorities", de_en(lang, "Prioritäten", "Priorities"),
                  empty=text("no_data", lang))
    if len(prio):
        prio = prio.sort_values("rank")
        kf["priorities"] = [{"topic": str(r["topic"]), "rank": int(r["rank"]),
                             "priority": r["priority"], "gap": r["gap"]}
                            for _, r in prio.iterrows()]
        sec.text = de_en(
            lang,
            "Die Priorität verbindet zwei Fragen: Wie wichtig ist ein Thema für die Arbeit, "
            "und wie gut beherrschen es die Beschäftigten heute? Hohe Wichtigkeit bei geringer "
            "Kompetenz ergibt hohe Priorität.",
            "Priority combines two questions: how important is a topic for the work, and how "
            "well do employees master it today? High importance with low competence means high "
            "priority.")
        sec.tables.append((needs_table(prio.head(8), lang), ""))
    report.sections["priorities"] = sec

    sec = Section("portfolio", de_en(lang, "Portfolio der Lernthemen", "Portfolio of topics"),
                  empty=text("no_data", lang))
    if len(prio):
        sec.figures.append((partial(draw_portfolio, needs=mine, lang=lang), de_en(
            lang,
            "Jedes Thema nach Wichtigkeit (senkrecht) und heutiger Kompetenz (waagrecht), "
            "Skala 1–5. Oben links stehen die dringendsten Lernthemen.",
            "Each topic by importance (vertical) and current competence (horizontal), scale "
            "1–5. The most urgent topics are top left.")))
    report.sections["portfolio"] = sec

    sec = Section("formats", de_en(lang, "Bevorzugte Lernformate und Zeitaufwand",
                                    "Preferred learning formats and time cost"),
                  empty=text("no_data", lang))
    formats, minutes = preferred_formats(store, company_id)
    if len(formats):
        kf["preferred_formats"] = {str(r["format"]): int(r["n"]) for _, r in formats.iterrows()}
        kf["median_minutes_per_week"] = minutes
        sec.text = de_en(
            lang,
            f"Die Befragten können im Mittel (Median) {format_number(minutes, 0, lang)} Minuten pro Woche "
            "für das Lernen aufbringen.",
            f"Respondents can spend a median of {format_number(minutes, 0, lang)} minutes per week on "
            "learning.")
        sec.figures.append((partial(draw_format_bars, formats=formats, lang=lang), de_en(
            lang, "Anteil der Befragten, die ein Lernformat bevorzugen (Mehrfachnennung möglich).",
            "Share of respondents preferring each learning format (several answers possible).")))
    plan = store.format_plans(company_id or None)
    if len(plan):
        table, caption, note = _format_cost_table(store, plan, kf, lang)
        sec.text = "\n\n".join(t for t in (sec.text, note) if t)
        sec.tables.append((table, caption))
    report.sections["formats"] = sec

    parts = [de_en(lang, f"An der Bedarfsanalyse haben {kf['n_respondents']} Beschäftigte "
                          "teilgenommen.",
                    f"{kf['n_respondents']} employees took part in the needs analysis.")]
    if kf.get("priorities"):
        top = [topic_name(p["topic"], lang) for p in kf["priorities"][:3]]
        parts.append(de_en(lang, f"Am dringendsten sind: {', '.join(top)}.",
                            f"The most urgent topics are: {', '.join(top)}."))
    if kf.get("preferred_formats"):
        best = max(kf["preferred_formats"], key=kf["preferred_formats"].get)
        parts.append(de_en(lang, f"Am liebsten lernen die Beschäftigten mit "
                                  f"„{format_name(best, lang)}“.",
                            f"Employees most like to learn with “{format_name(best, lang)}”."))
    report.summary = " ".join(parts)
    report.key_figures = plain(kf)
    return report


def needs_table(prio: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Rang", "Rank"): prio["rank"].astype(int),
        de_en(lang, "Thema", "Topic"): [topic_name(t, lang) for t in prio["topic"]],
        de_en(lang, "Wichtigkeit", "Importance"): prio["importance"],
        de_en(lang, "heutige Kompetenz", "Current competence"): prio["competence"],
        de_en(lang, "Lücke", "Gap"): prio["gap"],
    })
