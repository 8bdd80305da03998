"""The pilot report: participation, pre/post effects, reliable change, goal attainment,
reflection loops, action items, Kirkpatrick levels, needs and costs of one pilot."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from transferkit.reports.content.common import (
    Report,
    Section,
    de_en,
    format_date,
    format_number,
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
from transferkit.reports.content.needs_analysis import needs_table
from transferkit.reports.content.protocol import loop_figures
from transferkit.reports.content.texts import label, text

__all__ = ["pilot_report"]


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
    pilot = pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if en else pilot["title_de"])
    companies = [c for c in str(pilot.get("companies") or "").split(";") if c]
    names = store.companies().set_index("company_id")["name"].to_dict()
    report = Report(
        title=text("pilot_title", lang, pilot_id=pilot_id, title=title),
        subtitle=text("pilot_subtitle", lang,
                      companies=", ".join(names.get(c, c) for c in companies) or "–",
                      start=format_date(pilot.get("start")), end=format_date(pilot.get("end"))),
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
        sec.figures.append((partial(draw_bars, series=per_loop, lang=lang, xde="Schleife", xen="Loop",
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
        sec.figures.append((partial(draw_slopes, long=means, lang=lang),
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
            f"{format_number(row['t_baseline'], 0, lang)} auf {format_number(row['t_follow_up'], 0, lang)}."
            if not en else
            f"For {len(goals)} goals, attainment was rated at the start and at the end "
            "(−2 = much less than expected, 0 = as expected, +2 = much more). The weighted "
            f"overall score (T-score, 50 = as expected) went from {format_number(row['t_baseline'], 0, lang)} "
            f"to {format_number(row['t_follow_up'], 0, lang)}.")
        sec.tables.append((_goals_table(goals, lang), ""))
        sec.figures.append((partial(draw_gas, goals=goals, lang=lang),
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
        sec.figures.append((partial(draw_trends, trends=trends, lang=lang),
                            "Durchschnittliche Bewertung je Phase der Reflexionsschleife "
                            "(1 = schlecht, 5 = sehr gut), Schleife für Schleife." if not en else
                            "Mean rating of each phase of the reflection loop (1 = poor, "
                            "5 = very good), loop by loop."))
    closed = figures[figures["closed_at"].notna()]
    if len(closed):
        kf["loops_closed"] = {str(int(r["loop"])): r["closed_at"].isoformat()
                              for _, r in closed.iterrows()}
        sec.tables.append((_closed_loops_table(closed, lang), de_en(
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
    indicators = store.indicators(pilot_id)
    if len(feedback):
        kf["nps"] = float(nps(feedback["recommend"])["nps"])
    if len(indicators):
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
        sec.tables.append((needs_table(top, lang),
                           "Die fünf wichtigsten Lernthemen" if not en else "The five top topics"))
    report.sections["needs"] = sec

    # ROI
    sec = Section("roi", text("roi", lang), empty=(
        "Für dieses Pilotprojekt liegen keine Kostendaten vor." if not en else
        "There are no cost data for this pilot."))
    costs, benefits = store.costs(pilot_id), store.benefits(pilot_id)
    if len(costs) and len(benefits):
        result = roi(benefits, costs, by="pilot_id").iloc[0]
        kf["roi"] = {"costs": result["costs"], "benefits": result["benefits"],
                     "net_benefits": result["net_benefits"], "bcr": result["bcr"],
                     "roi_percent": result["roi_percent"]}
        sec.text = _roi_text(result, lang)
        sec.figures.append((partial(draw_cost_bars, costs=costs, benefits=benefits, lang=lang),
                            "Kosten und bezifferter Nutzen des Pilotprojekts in Euro, nach Posten."
                            if not en else
                            "Costs and monetised benefits of the pilot in euros, by item."))
    report.sections["roi"] = sec

    report.summary = _pilot_summary(kf, lang)
    report.key_figures = plain(kf)
    return report


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
            de_en(lang, "Unternehmen", "Company"): names.get(str(company), str(company)),
            de_en(lang, "Teilnehmende", "Participants"): len(codes),
            de_en(lang, "vorher + nachher", "before + after"): len(pre & post),
            de_en(lang, "in Schleifen aktiv", "active in loops"):
                int(ratings["participant"].isin(codes).groupby(ratings["participant"]).any().sum())
                if len(ratings) else 0,
        })
    return pd.DataFrame(rows)


def _effects_text(effects: Any, lang: str) -> str:
    parts = []
    for _, row in effects.iterrows():
        name = text(str(row["scale"]), lang)
        diff = format_number(row["mean_diff"], 2, lang)
        sign = "+" if row["mean_diff"] > 0 else ""
        sure = (row["p_t"] < 0.05) if row["p_t"] == row["p_t"] else False
        if lang == "en":
            parts.append(f"{name}: {sign}{diff} points ({'clear' if sure else 'not a clear'} "
                         "change)")
        else:
            parts.append(f"{name}: {sign}{diff} Punkte ({'deutliche' if sure else 'keine deutliche'}"
                         " Veränderung)")
    lead = de_en(lang, "Veränderung der Selbsteinschätzung auf der Skala 1–5 — ",
                  "Change in self-assessment on the 1–5 scale — ")
    return lead + "; ".join(parts) + "."


def _effects_table(effects: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Bereich", "Area"): [text(str(s), lang) for s in effects["scale"]],
        de_en(lang, "Personen", "People"): effects["n"].astype(int),
        de_en(lang, "vorher", "before"): effects["mean_pre"],
        de_en(lang, "nachher", "after"): effects["mean_post"],
        de_en(lang, "Veränderung", "Change"): effects["mean_diff"],
        de_en(lang, "95 %-Intervall", "95% interval"): [
            f"{format_number(lo, 2, lang)} … {format_number(hi, 2, lang)}"
            for lo, hi in zip(effects["ci95_low"], effects["ci95_high"], strict=True)],
        de_en(lang, "Effektstärke d", "Effect size d"): effects["d_av"],
        "p": effects["p_t"],
    })


def _rci_table(rci: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Bereich", "Area"): [text(str(s), lang) for s in rci["scale"]],
        de_en(lang, "Personen", "People"): rci["n"].astype(int),
        de_en(lang, "verbessert", "improved"): rci["improved"].astype(int),
        de_en(lang, "unverändert", "no reliable change"): rci["no_reliable_change"].astype(int),
        de_en(lang, "verschlechtert", "deteriorated"): rci["deteriorated"].astype(int),
        de_en(lang, "Reliabilität (α)", "Reliability (α)"): rci["reliability"],
    })


def _goals_table(goals: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Ziel", "Goal"): goals["goal"],
        de_en(lang, "Gewicht", "Weight"): goals["weight"].map(lambda w: f"{w:g}"),
        de_en(lang, "Beginn", "Start"): goals["baseline"].astype(int),
        de_en(lang, "Ende", "End"): goals["follow_up"].map(
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
        return (f"Satisfaction with the loops has {trend_en}: from {format_number(first, 1, lang)} in the "
                f"first to {format_number(last, 1, lang)} in the last loop (scale 1–5).")
    return (f"Die Zufriedenheit mit den Schleifen ist {trend}: von {format_number(first, 1, lang)} in der "
            f"ersten auf {format_number(last, 1, lang)} in der letzten Schleife (Skala 1–5).")


def _flow_table(flow: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Schleife", "Loop"): flow["loop"].astype(int),
        de_en(lang, "übernommen", "carried in"): flow["carried_in"].astype(int),
        de_en(lang, "neu", "new"): flow["opened"].astype(int),
        de_en(lang, "erledigt", "done"): flow["closed"].astype(int),
        de_en(lang, "verworfen", "dropped"): flow["dropped"].astype(int),
        de_en(lang, "weiter offen", "still open"): flow["carried_over"].astype(int),
    })


def _open_items_table(items: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Maßnahme", "Action"): items["what"],
        de_en(lang, "verantwortlich", "owner"): items["owner"].fillna("–"),
        de_en(lang, "fällig", "due"): items["due"].map(format_date),
        de_en(lang, "aus Schleife", "from loop"): items["loop_raised"].astype("Int64").astype(str),
    })


def _kirkpatrick_table(levels: Any, lang: str) -> Any:
    import pandas as pd

    names = {1: de_en(lang, "Zufriedenheit", "Reaction"), 2: de_en(lang, "Lernen", "Learning"),
             3: de_en(lang, "Verhalten", "Behaviour"), 4: de_en(lang, "Ergebnisse", "Results")}
    return pd.DataFrame({
        de_en(lang, "Ebene", "Level"): [f"{int(v)} {names.get(int(v), '')}" for v in levels["level"]],
        de_en(lang, "Kennzahl", "Indicator"): [
            "; ".join(label(i.strip(), lang) for i in str(v).split(";")) if isinstance(v, str)
            else "–" for v in levels["indicators"]],
        de_en(lang, "Wert", "Value"): levels["value"],
        de_en(lang, "Einheit", "Unit"): [label(u, lang) if isinstance(u, str) else "–"
                                          for u in levels["unit"]],
    })


def _eur(value: float, lang: str) -> str:
    text_ = f"{value:,.0f}"
    return (text_.replace(",", ".") + " €") if lang != "en" else f"EUR {text_}"


def _roi_text(result: Any, lang: str) -> str:
    if lang == "en":
        return (f"Costs {_eur(result['costs'], lang)}, monetised benefits "
                f"{_eur(result['benefits'], lang)}: every euro spent returned "
                f"{format_number(result['bcr'], 2, lang)} euros (ROI {format_number(result['roi_percent'], 0, lang)}%).")
    return (f"Kosten {_eur(result['costs'], lang)}, bezifferter Nutzen "
            f"{_eur(result['benefits'], lang)}: Jeder eingesetzte Euro brachte "
            f"{format_number(result['bcr'], 2, lang)} Euro zurück (ROI {format_number(result['roi_percent'], 0, lang)} %).")


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
            f"(+{format_number(diff, 2, lang)} points on a 1–5 scale)." if en else
            f"Ihre selbst eingeschätzten Kompetenzen wuchsen am stärksten im Bereich "
            f"„{text(best, lang)}“ (+{format_number(diff, 2, lang)} Punkte auf der Skala 1–5).")
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
            (f"The benefits exceed the costs (ROI {format_number(money['roi_percent'], 0, lang)}%)." if gain
             else f"So far the costs exceed the benefits (ROI {format_number(money['roi_percent'], 0, lang)}%).")
            if en else
            (f"Der Nutzen übersteigt die Kosten (ROI {format_number(money['roi_percent'], 0, lang)} %)." if gain
             else f"Bisher übersteigen die Kosten den Nutzen (ROI {format_number(money['roi_percent'], 0, lang)} %)."))
    return " ".join(parts)


def _closed_loops_table(closed: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Schleife", "Loop"): closed["loop"].astype(int),
        de_en(lang, "abgeschlossen", "closed"): closed["closed_at"].map(format_date),
        de_en(lang, "Teilnehmende", "Participants"): closed["participants"].astype(int),
        de_en(lang, "Zufriedenheit (1–5)", "Satisfaction (1–5)"):
            closed["loop_satisfaction_mean"].astype(float),
        de_en(lang, "neue Maßnahmen", "new items"): closed["items_new"].astype(int),
        de_en(lang, "erledigt", "done"): closed["items_done"].astype(int),
        de_en(lang, "verworfen", "dropped"): closed["items_dropped"].astype(int),
        de_en(lang, "noch offen", "still open"): closed["items_open"].astype(int),
    })
