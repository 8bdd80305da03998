"""The pilot report: participation, pre/post effects, reliable change, goal attainment,
reflection loops, action items, Kirkpatrick levels, needs and costs of one pilot."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from transferkit.reports.content.common import (
    Report,
    Section,
    format_date,
    plain,
)
from transferkit.reports.content.data import (
    LOOP_RATINGS,
    gas_goals,
    loop_ratings,
    needs,
    pilot_row,
    prepost_by_scale,
    reliable_change_by_scale,
    scale_scores_long,
    self_assessment,
    training_feedback,
)
from transferkit.reports.content.figures import (
    draw_bars,
    draw_cost_bars,
    draw_gas,
    draw_slopes,
    draw_trends,
)
from transferkit.reports.content.methods import data_source, footer_text, methods_section
from transferkit.reports.content.needs_analysis import needs_table
from transferkit.reports.content.numbers import format_number, format_p, format_t
from transferkit.reports.content.protocol import loop_figures
from transferkit.reports.content.texts import label, scale_name, text

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.reports.content.common import Cell, KeyFigures
    from transferkit.store import Store
    from transferkit.store.values import JSONValue

__all__ = ["pilot_report"]


def pilot_report(store: Store, pilot_id: str, lang: str = "de") -> Report:
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
    pilot = pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if en else pilot["title_de"])
    companies = [c for c in str(pilot.get("companies") or "").split(";") if c]
    names = store.companies().set_index("company_id")["name"].to_dict()
    report = Report(
        title=text("pilot_title", lang, pilot_id=pilot_id, title=title),
        subtitle=text(
            "pilot_subtitle",
            lang,
            companies=", ".join(names.get(c, c) for c in companies) or "–",
            start=format_date(pilot.get("start")),
            end=format_date(pilot.get("end")),
        ),
        summary="",
        lang=lang,
    )
    kf: KeyFigures = {"title": report.title, "pilot_id": pilot_id}

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
        sec.figures.append(
            (
                partial(
                    draw_bars,
                    series=per_loop,
                    xlabel=text("loop", lang),
                    ylabel=text("participants", lang),
                ),
                text("participants_per_reflection_loop_how", lang),
            )
        )
    report.sections["participation"] = sec

    # pre/post effects
    sec = Section("effects", text("effects", lang), empty=text("no_data", lang))
    effects = None
    if (assessment["time"] == "pre").any() and (assessment["time"] == "post").any():
        effects = prepost_by_scale(assessment)
        kf["effects"] = {
            str(r["scale"]): {
                "n": int(r["n"]),
                "mean_pre": r["mean_pre"],
                "mean_post": r["mean_post"],
                "mean_diff": r["mean_diff"],
                "d_av": r["d_av"],
                "p_t": r["p_t"],
            }
            for _, r in effects.iterrows()
        }
        sec.text = _effects_text(effects, lang)
        sec.tables.append((_effects_table(effects, lang), ""))
        means = scale_scores_long(assessment)
        sec.figures.append(
            (partial(draw_slopes, long=means, lang=lang), text("mean_self_assessment_1_low", lang))
        )
    report.sections["effects"] = sec

    # reliable change
    sec = Section("rci", text("rci", lang), empty=text("no_data", lang))
    if effects is not None:
        rci = reliable_change_by_scale(assessment, self_assessment(store))
        if len(rci):
            kf["reliable_change"] = {
                str(r["scale"]): {
                    "n": int(r["n"]),
                    "improved": int(r["improved"]),
                    "deteriorated": int(r["deteriorated"]),
                    "pct_improved": r["pct_improved"],
                }
                for _, r in rci.iterrows()
            }
            sec.text = text("a_change_counts_as_reliable", lang)
            sec.tables.append((_rci_table(rci, lang), ""))
    report.sections["rci"] = sec

    # GAS
    sec = Section("gas", text("gas", lang), empty=text("no_data", lang))
    goals = gas_goals(store, pilot_id)
    if len(goals):
        summary = gas_summary(goals, by="pilot_id")
        row = summary.iloc[0]
        rated, pending = int(row["n_rated"]), int(row["n_missing"])
        kf["gas"] = {
            "n_goals": int(row["n_goals"]),
            "n_rated": rated,
            "n_pending": pending,
            "t_baseline": row["t_baseline"] if rated else None,
            "t_follow_up": row["t_follow_up"] if rated else None,
            "t_change": row["t_change"] if rated else None,
        }
        sec.text = _gas_text(row, lang)
        sec.tables.append((_goals_table(goals, lang), ""))
        sec.figures.append(
            (partial(draw_gas, goals=goals, lang=lang), text("attainment_of_each_goal_at", lang))
        )
    report.sections["gas"] = sec

    # loops and action items
    sec = Section("loops", text("loops", lang), empty=text("no_data", lang))
    if len(ratings):
        trends = loop_trends(ratings, list(LOOP_RATINGS.values()))
        sat = trends[trends["metric"] == "loop_satisfaction"]
        kf["loop_satisfaction"] = {str(int(r["loop"])): r["mean"] for _, r in sat.iterrows()}
        kf["loop_satisfaction_slope"] = float(sat["slope"].iloc[0]) if len(sat) else None
        sec.text = _loops_text(sat, lang)
        sec.figures.append(
            (
                partial(draw_trends, trends=trends, lang=lang),
                text("mean_rating_of_each_phase", lang),
            )
        )
    closed = figures[figures["closed_at"].notna()]
    if len(closed):
        kf["loops_closed"] = {
            str(int(r["loop"])): r["closed_at"].isoformat() for _, r in closed.iterrows()
        }
        sec.tables.append(
            (_closed_loops_table(closed, lang), text("closed_loops_key_figures_when", lang))
        )
    report.sections["loops"] = sec

    sec = Section("actions", text("actions", lang), empty=text("no_data", lang))
    actions = store.action_items(pilot_id)
    if len(actions):
        flow = action_item_flow(actions)
        open_items = actions[actions["status"].isin(["open", "carried_over"])]
        kf["action_items"] = {
            "total": len(actions),
            "done": int((actions["status"] == "done").sum()),
            "open": len(open_items),
            "dropped": int((actions["status"] == "dropped").sum()),
        }
        sec.text = text(
            "the_loops_agreed_on_action",
            lang,
            actions=len(actions),
            done=kf["action_items"]["done"],
            open_items=len(open_items),
        )
        sec.tables.append((_flow_table(flow, lang), ""))
        if len(open_items):
            sec.tables.append(
                (_open_items_table(open_items, lang), text("open_action_items", lang))
            )
    report.sections["actions"] = sec

    # Kirkpatrick
    sec = Section("kirkpatrick", text("kirkpatrick", lang), empty=text("no_data", lang))
    indicators = store.indicators(pilot_id)
    if len(feedback):
        kf["nps"] = float(nps(feedback["recommend"])["nps"])
    if len(indicators):
        levels = kirkpatrick(indicators)
        kf["kirkpatrick"] = {str(int(r["level"])): r["value"] for _, r in levels.iterrows()}
        sec.text = text("four_levels_of_impact_reaction", lang)
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
        sec.tables.append((needs_table(top, lang), text("the_five_top_topics", lang)))
    report.sections["needs"] = sec

    # ROI
    sec = Section("roi", text("roi", lang), empty=(text("there_are_no_cost_data", lang)))
    costs, benefits = store.costs(pilot_id), store.benefits(pilot_id)
    if len(costs) and len(benefits):
        result = roi(benefits, costs, by="pilot_id").iloc[0]
        kf["roi"] = {
            "costs": result["costs"],
            "benefits": result["benefits"],
            "net_benefits": result["net_benefits"],
            "bcr": result["bcr"],
            "roi_percent": result["roi_percent"],
        }
        sec.text = _roi_text(result, lang)
        sec.figures.append(
            (
                partial(draw_cost_bars, costs=costs, benefits=benefits, lang=lang),
                text("costs_and_monetised_benefits_of", lang),
            )
        )
    report.sections["roi"] = sec

    report.summary = _pilot_summary(kf, lang)
    report.key_figures = plain(kf)
    n_by: dict[str, int] = {}
    if effects is not None:
        for _, row in effects.iterrows():
            n_by[f"{text('effects', lang)}, {scale_name(str(row['scale']), lang)}"] = int(row["n"])
    report.sections["methods"] = methods_section("pilot", lang, n_by)
    report.footer = footer_text(lang, data_source(store))
    return report


def _participation_table(
    people: pd.DataFrame,
    assessment: pd.DataFrame,
    ratings: pd.DataFrame,
    names: Mapping[Hashable, str],
    lang: str,
) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for company, group in people.groupby("company_id"):
        codes = set(group["participant"])
        mine = assessment[assessment["participant"].isin(codes)]
        pre = set(mine.loc[mine["time"] == "pre", "participant"])
        post = set(mine.loc[mine["time"] == "post", "participant"])
        rows.append(
            {
                text("company", lang): names.get(str(company), str(company)),
                text("participants", lang): len(codes),
                text("before_after", lang): len(pre & post),
                text("active_in_loops", lang): int(
                    ratings["participant"].isin(codes).groupby(ratings["participant"]).any().sum()
                )
                if len(ratings)
                else 0,
            }
        )
    return pd.DataFrame(rows)


def _effects_text(effects: pd.DataFrame, lang: str) -> str:
    parts = []
    for _, row in effects.iterrows():
        name = scale_name(str(row["scale"]), lang)
        diff = format_number(row["mean_diff"], 2, lang)
        sign = "+" if row["mean_diff"] > 0 else ""
        sure = (row["p_t"] < 0.05) if row["p_t"] == row["p_t"] else False
        key = "effect_clear" if sure else "effect_not_clear"
        parts.append(text(key, lang, name=name, sign=sign, diff=diff))
    lead = text("change_in_self_assessment_on", lang)
    return lead + "; ".join(parts) + "."


def _effects_table(effects: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("area", lang): [scale_name(str(s), lang) for s in effects["scale"]],
            text("people", lang): effects["n"].astype(int),
            text("pre", lang): effects["mean_pre"],
            text("post", lang): effects["mean_post"],
            text("change", lang): effects["mean_diff"],
            text("95_interval", lang): [
                f"{format_number(lo, 2, lang)} … {format_number(hi, 2, lang)}"
                for lo, hi in zip(effects["ci95_low"], effects["ci95_high"], strict=True)
            ],
            text("effect_size_d", lang): effects["d_av"],
            text("t_test", lang): [
                format_t(t, df, lang) for t, df in zip(effects["t"], effects["df"], strict=True)
            ],
            "p": [format_p(p, lang) for p in effects["p_t"]],
        }
    )


def _rci_table(rci: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("area", lang): [scale_name(str(s), lang) for s in rci["scale"]],
            text("people", lang): rci["n"].astype(int),
            text("improved", lang): rci["improved"].astype(int),
            text("no_reliable_change", lang): rci["no_reliable_change"].astype(int),
            text("deteriorated", lang): rci["deteriorated"].astype(int),
            text("reliability", lang): rci["reliability"],
        }
    )


def _gas_text(row: pd.Series, lang: str) -> str:
    """The GAS section's sentence: T-scores over the goals rated at both times only, and
    how many goals still wait for their end rating (left out of the T-scores)."""
    from transferkit.i18n import text as catalogue_text

    goals, rated, pending = int(row["n_goals"]), int(row["n_rated"]), int(row["n_missing"])
    if not rated:
        return catalogue_text("gas.report_none_rated", lang, goals=goals)
    out = text(
        "for_goals_attainment_was_rated",
        lang,
        goals=rated,
        baseline=format_number(row["t_baseline"], 0, lang),
        follow_up=format_number(row["t_follow_up"], 0, lang),
    )
    if pending:
        out += " " + catalogue_text("gas.report_pending", lang, pending=pending, goals=goals)
    return out


def _goals_table(goals: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("goal", lang): goals["goal"],
            text("weight", lang): goals["weight"].map(lambda w: f"{w:g}"),
            text("start", lang): goals["baseline"].astype(int),
            text("end", lang): goals["follow_up"].map(_level),
        }
    )


def _level(value: Cell) -> str:
    import pandas as pd

    return "–" if pd.isna(value) else f"{int(value):+d}".replace("+0", "0")


def _loops_text(sat: pd.DataFrame, lang: str) -> str:
    if sat.empty:
        return ""
    first, last = sat["mean"].iloc[0], sat["mean"].iloc[-1]
    trend = (
        "trend_risen"
        if last > first + 0.1
        else "trend_fallen"
        if last < first - 0.1
        else "trend_same"
    )
    return text(
        "loops_satisfaction_trend",
        lang,
        trend=text(trend, lang),
        first=format_number(first, 1, lang),
        last=format_number(last, 1, lang),
    )


def _flow_table(flow: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("loop", lang): flow["loop"].astype(int),
            text("carried_in", lang): flow["carried_in"].astype(int),
            text("new", lang): flow["opened"].astype(int),
            text("done", lang): flow["closed"].astype(int),
            text("dropped", lang): flow["dropped"].astype(int),
            text("still_open", lang): flow["carried_over"].astype(int),
        }
    )


def _open_items_table(items: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("action", lang): items["what"],
            text("owner", lang): items["owner"].fillna("–"),
            text("due", lang): items["due"].map(format_date),
            text("from_loop", lang): items["loop_raised"].astype("Int64").astype(str),
        }
    )


def _kirkpatrick_table(levels: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    names = {
        1: text("reaction", lang),
        2: text("learning", lang),
        3: text("behaviour", lang),
        4: text("results", lang),
    }
    return pd.DataFrame(
        {
            text("level", lang): [f"{int(v)} {names.get(int(v), '')}" for v in levels["level"]],
            text("indicator", lang): [
                "; ".join(label(i.strip(), lang) for i in str(v).split(";"))
                if isinstance(v, str)
                else "–"
                for v in levels["indicators"]
            ],
            text("value", lang): levels["value"],
            text("unit", lang): [
                label(u, lang) if isinstance(u, str) else "–" for u in levels["unit"]
            ],
        }
    )


def _eur(value: float, lang: str) -> str:
    text_ = f"{value:,.0f}"
    return (text_.replace(",", ".") + " €") if lang != "en" else f"EUR {text_}"


def _roi_text(result: pd.Series, lang: str) -> str:
    return text(
        "roi_text",
        lang,
        costs=_eur(result["costs"], lang),
        benefits=_eur(result["benefits"], lang),
        bcr=format_number(result["bcr"], 2, lang),
        roi=format_number(result["roi_percent"], 0, lang),
    )


def _pilot_summary(kf: Mapping[str, JSONValue], lang: str) -> str:
    parts = [(text("people_took_part_in_this", lang, n_participants=kf["n_participants"]))]
    effects = kf.get("effects", {})
    if effects:
        best = max(effects, key=lambda s: effects[s]["mean_diff"])
        diff = effects[best]["mean_diff"]
        parts.append(
            text(
                "their_self_assessed_skills_grew",
                lang,
                best=scale_name(best, lang),
                diff=format_number(diff, 2, lang),
            )
        )
    gas = kf.get("gas")
    if gas and not gas.get("n_rated"):
        from transferkit.i18n import text as catalogue_text

        parts.append(catalogue_text("gas.summary_pending", lang))
    elif gas:
        reached = gas["t_follow_up"] is not None and gas["t_follow_up"] >= 50
        parts.append(text("goals_reached" if reached else "goals_not_reached", lang))
    actions = kf.get("action_items")
    if actions:
        parts.append(
            text(
                "of_agreed_action_items_are",
                lang,
                total=actions["total"],
                done=actions["done"],
                open=actions["open"],
            )
        )
    money = kf.get("roi")
    if money:
        gain = money["roi_percent"] >= 0
        parts.append(
            text(
                "roi_gain" if gain else "roi_loss",
                lang,
                roi=format_number(money["roi_percent"], 0, lang),
            )
        )
    return " ".join(parts)


def _closed_loops_table(closed: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("loop", lang): closed["loop"].astype(int),
            text("closed", lang): closed["closed_at"].map(format_date),
            text("participants", lang): closed["participants"].astype(int),
            text("satisfaction_1_5", lang): closed["loop_satisfaction_mean"].astype(float),
            text("new_items", lang): closed["items_new"].astype(int),
            text("done", lang): closed["items_done"].astype(int),
            text("dropped", lang): closed["items_dropped"].astype(int),
            text("still_open_2", lang): closed["items_open"].astype(int),
        }
    )
