"""The needs report: priorities of learning topics, their portfolio, preferred learning
formats and the cost of the planned learning time, for one company or the network."""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

from transferkit.i18n import text as i18n_text
from transferkit.reports.content.common import Report, Section, plain
from transferkit.reports.content.data import company_of, needs, network_name
from transferkit.reports.content.figures import draw_format_bars, draw_portfolio, needs_scale
from transferkit.reports.content.methods import data_source, footer_text, methods_section
from transferkit.reports.content.numbers import format_number
from transferkit.reports.content.texts import format_name, text, topic_name

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.reports.content.common import KeyFigures
    from transferkit.store import Store

__all__ = ["format_rates", "needs_report", "preferred_formats"]


def preferred_formats(store: Store, company_id: str = "") -> tuple[pd.DataFrame, float]:
    """Share of respondents preferring each learning format, and their minutes per week."""
    import pandas as pd

    frame = store.responses(template="needs_analysis")
    if company_id and len(frame):
        frame = frame[frame["participant"].map(company_of(store)) == company_id]
    if frame.empty or "formats" not in frame.columns:
        return pd.DataFrame(columns=["format", "n", "pct"]), float("nan")
    chosen = frame["formats"].dropna().explode().dropna()
    counts = chosen.value_counts()
    table = pd.DataFrame(
        {
            "format": counts.index.astype(str),
            "n": counts.to_numpy(),
            "pct": counts.to_numpy() / len(frame) * 100,
        }
    )
    minutes = pd.to_numeric(frame.get("minutes_per_week"), errors="coerce")  # type: ignore[call-overload]  # None if absent, as before
    return table.reset_index(drop=True), float(minutes.median())


def format_rates(store: Store, plan: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
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
    pilot_of = {
        str(c): p
        for c, p in zip(people["participant"], people["pilot_id"], strict=True)
        if isinstance(p, str) and p
    }
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
    store: Store, plan: pd.DataFrame, kf: KeyFigures, lang: str
) -> tuple[pd.DataFrame, str, str]:
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
    table = pd.DataFrame(
        {
            text("format", lang): [format_name(f, lang) for f in cost["format"]],
            text("sessions", lang): cost["sessions"].astype(int),
            text("hours", lang): cost["hours"],
        }
    )
    if hours_only:
        kf["hourly_rate"] = None
        if missing:
            who = ", ".join(missing)
            note = text("no_hourly_rate_is_set", lang, who=who)
        else:
            note = text(
                "the_pilots_use_different_currencies", lang, currencies=", ".join(currencies)
            )
        caption = text("planned_learning_time_in_hours", lang)
        return table, caption, note
    currency = currencies[0]
    kf["format_currency"] = currency
    kf[f"format_cost_{currency.lower()}"] = float(cost["cost_eur"].sum())
    symbol = "€" if currency == "EUR" and lang != "en" else currency
    table[text("cost_of_working_time", lang, symbol=symbol)] = cost["cost_eur"]
    rates = sorted(set(rated["hourly_rate"]))
    if len(rates) == 1:
        kf["hourly_rate"] = rates[0]
        at = _money(rates[0], currency, lang)
        caption = text("planned_learning_time_and_its", lang, at=at)
    else:
        kf["hourly_rate"] = None
        low, high = _money(rates[0], currency, lang), _money(rates[-1], currency, lang)
        caption = text("planned_learning_time_and_its_2", lang, low=low, high=high)
    return table, caption, ""


def needs_report(store: Store, company_id: str = "", lang: str = "de") -> Report:
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
        title=text("needs_analysis", lang, who=who),
        subtitle=text("which_learning_topics_matter_most", lang),
        summary="",
        lang=lang,
    )
    kf: KeyFigures = {"title": report.title, "company_id": company_id or None}
    need = needs(store)
    prio = needs_priorities(need, by="company_id") if len(need) else pd.DataFrame()
    if len(prio):
        prio = (
            prio[prio["company_id"] == company_id]
            if company_id
            else prio[prio["scope"] == "network"]
        )
    mine = need[need["company_id"] == company_id] if company_id else need
    kf["n_respondents"] = int(mine["participant"].nunique())

    sec = Section("priorities", text("priorities", lang), empty=text("no_data", lang))
    if len(prio):
        prio = prio.sort_values("rank")
        kf["priorities"] = [
            {
                "topic": str(r["topic"]),
                "rank": int(r["rank"]),
                "priority": r["priority"],
                "gap": r["gap"],
            }
            for _, r in prio.iterrows()
        ]
        sec.text = i18n_text("portfolio.priority_rule", lang)
        sec.tables.append((needs_table(prio.head(8), lang), ""))
    report.sections["priorities"] = sec

    sec = Section("portfolio", text("portfolio_of_topics", lang), empty=text("no_data", lang))
    if len(prio):
        sec.figures.append(
            (
                partial(draw_portfolio, needs=mine, lang=lang),
                _portfolio_caption(lang),
            )
        )
    report.sections["portfolio"] = sec

    sec = Section(
        "formats", text("preferred_learning_formats_and_time", lang), empty=text("no_data", lang)
    )
    formats, minutes = preferred_formats(store, company_id)
    if len(formats):
        kf["preferred_formats"] = {str(r["format"]): int(r["n"]) for _, r in formats.iterrows()}
        kf["median_minutes_per_week"] = minutes
        sec.text = text(
            "respondents_can_spend_a_median", lang, minutes=format_number(minutes, 0, lang)
        )
        sec.figures.append(
            (
                partial(draw_format_bars, formats=formats, lang=lang),
                text("share_of_respondents_preferring_each", lang),
            )
        )
    plan = store.format_plans(company_id or None)
    if len(plan):
        table, caption, note = _format_cost_table(store, plan, kf, lang)
        sec.text = "\n\n".join(t for t in (sec.text, note) if t)
        sec.tables.append((table, caption))
    report.sections["formats"] = sec

    parts = [text("employees_took_part_in_the", lang, n_respondents=kf["n_respondents"])]
    if kf.get("priorities"):
        top = [topic_name(p["topic"], lang) for p in kf["priorities"][:3]]
        parts.append(text("the_most_urgent_topics_are", lang, topics=", ".join(top)))
    if kf.get("preferred_formats"):
        best = max(kf["preferred_formats"], key=kf["preferred_formats"].get)
        parts.append(text("employees_most_like_to_learn", lang, best=format_name(best, lang)))
    report.summary = " ".join(parts)
    report.key_figures = plain(kf)
    report.sections["methods"] = methods_section("needs", lang)
    report.footer = footer_text(lang, data_source(store))
    return report


def _portfolio_caption(lang: str) -> str:
    """The portfolio's caption with its rule: the scale, where the lines lie, the numbers."""
    low, high = needs_scale()
    return i18n_text(
        "portfolio.caption",
        lang,
        low=format_number(low, 0, lang),
        high=format_number(high, 0, lang),
        midpoint=format_number((low + high) / 2, 0 if (low + high) % 2 == 0 else 1, lang),
    )


def needs_table(prio: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("rank", lang): prio["rank"].astype(int),
            text("topic", lang): [topic_name(t, lang) for t in prio["topic"]],
            text("importance", lang): prio["importance"],
            text("current_competence", lang): prio["competence"],
            text("gap", lang): prio["gap"],
            i18n_text("portfolio.priority_column", lang): prio["priority"],
        }
    )
