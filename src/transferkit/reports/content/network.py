"""The network report: all pilots side by side, and the anonymous benchmark of one
company against the pooled rest of the network."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from transferkit.reports.content.common import Report, Section, de_en, format_number, plain
from transferkit.reports.content.data import (
    SCALES,
    company_of,
    gas_goals,
    loop_ratings,
    needs,
    network_name,
    scale_scores_long,
    self_assessment,
    training_feedback,
)
from transferkit.reports.content.figures import (
    draw_forest,
    draw_satisfaction_trends,
    draw_shared_plot,
)
from transferkit.reports.content.texts import label, text

__all__ = ["MIN_GROUP", "company_benchmark", "effects_by_pilot", "network_report"]


#: Smallest group shown in anonymous comparisons; smaller groups are suppressed.
MIN_GROUP = 3


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

    company_by_participant = company_of(store)
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
        per_person["company_id"] = per_person["participant"].map(company_by_participant)
        mine = per_person["company_id"] == company_id
        add("loop_satisfaction", per_person.loc[mine, "loop_satisfaction"],
            per_person.loc[~mine, ["company_id", "loop_satisfaction"]].to_numpy())
    feedback = training_feedback(store)
    if len(feedback):
        feedback = feedback.assign(company_id=feedback["participant"].map(company_by_participant))
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
    name = network_name(store)
    report = Report(
        title=de_en(lang, f"Netzwerkbericht: {name}", f"Network report: {name}"),
        subtitle=de_en(lang, f"{len(pilots)} Pilotprojekte · {len(companies)} Unternehmen · "
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
        de_en(lang, "Pilot", "Pilot"): pilots["pilot_id"],
        de_en(lang, "Thema", "Title"): pilots[title_col],
        de_en(lang, "Unternehmen", "Companies"): [
            len([c for c in str(v).split(";") if c]) for v in pilots["companies"]],
        de_en(lang, "Teilnehmende", "Participants"): [
            int((people["pilot_id"] == p).sum()) for p in pilots["pilot_id"]],
        de_en(lang, "Schleifen", "Loops"): pilots["loops"].astype("Int64").astype(str),
    })
    report.sections["overview"] = Section(
        "overview", de_en(lang, "Die Pilotprojekte", "The pilot projects"),
        tables=[(overview, "")])

    # effects (forest plot)
    sec = Section("effects", de_en(lang, "Wirkung im Vergleich", "Effects compared"),
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
        sec.text = de_en(
            lang,
            "Die stärkste Veränderung der digitalen Kompetenzen zeigte "
            f"{dig['pilot_id'].iloc[0]} (+{format_number(dig['mean_diff'].iloc[0], 2, lang)} Punkte).",
            f"{dig['pilot_id'].iloc[0]} showed the largest change in digital skills "
            f"(+{format_number(dig['mean_diff'].iloc[0], 2, lang)} points).")
        sec.figures.append((partial(draw_forest, effects=effects, lang=lang), de_en(
            lang,
            "Veränderung der Selbsteinschätzung (nachher − vorher, Punkte auf der Skala 1–5) je "
            "Pilotprojekt und Kompetenzbereich, mit 95 %-Intervall. Liegt das Intervall ganz "
            "rechts der Null, ist die Verbesserung deutlich.",
            "Change in self-assessment (after − before, points on the 1–5 scale) per pilot "
            "and skill area, with 95% interval. An interval entirely right of zero is a clear "
            "improvement.")))
    report.sections["effects"] = sec

    # GAS comparison
    sec = Section("gas", de_en(lang, "Zielerreichung im Vergleich", "Goal attainment compared"),
                  empty=text("no_data", lang))
    if len(gas):
        kf["gas"] = {str(r["pilot_id"]): {"t_baseline": r["t_baseline"],
                                          "t_follow_up": r["t_follow_up"]}
                     for _, r in gas.iterrows()}
        sec.figures.append((partial(draw_shared_plot, "plot_gas", goals, by="pilot_id", lang=lang), de_en(
            lang, "GAS-T-Wert je Pilotprojekt zu Beginn und am Ende; 50 bedeutet: Ziele wie "
                  "erwartet erreicht.",
            "GAS T-score per pilot at the start and at the end; 50 means goals reached as "
            "expected.")))
    report.sections["gas"] = sec

    # participation by size, sector and role (groups of fewer than MIN_GROUP companies hidden)
    sec = Section("participation", de_en(lang, "Beteiligung nach Unternehmensgröße, Branche "
                                                "und Rolle",
                                          "Participation by company size, sector and role"))
    per_company = people.groupby("company_id").size()
    comp = companies.assign(participants=companies["company_id"].map(per_company).fillna(0))
    breakdown = []
    for column, name_ in (("size_class", de_en(lang, "Größe", "Size")),
                          ("sector", de_en(lang, "Branche", "Sector"))):
        for value, group in comp.groupby(column):
            breakdown.append({"key": f"{column}:{value}", "group": name_,
                              "value": label(value, lang), "companies": len(group),
                              "participants": int(group["participants"].sum())})
    roles = comp.assign(role=comp["roles"].str.split(";")).explode("role")
    for value, group in roles.groupby("role"):
        if value:
            breakdown.append({"key": f"role:{value}", "group": de_en(lang, "Rolle", "Role"),
                              "value": label(value, lang), "companies": len(group),
                              "participants": int(group["participants"].sum())})
    table = pd.DataFrame(breakdown)
    hidden = table["companies"] < MIN_GROUP
    table["participants"] = table["participants"].astype("object").where(~hidden, "–")
    kf["participation"] = {f"{r['key']}": r["participants"] for _, r in table.iterrows()}
    table = table.drop(columns="key")
    sec.tables.append((table.rename(columns={
        "group": de_en(lang, "Merkmal", "Feature"), "value": de_en(lang, "Ausprägung", "Value"),
        "companies": de_en(lang, "Unternehmen", "Companies"),
        "participants": de_en(lang, "Teilnehmende", "Participants")}), de_en(
        lang, f"Gruppen mit weniger als {MIN_GROUP} Unternehmen sind ausgeblendet (–).",
        f"Groups of fewer than {MIN_GROUP} companies are hidden (–).")))
    report.sections["participation"] = sec

    # loop satisfaction across pilots
    sec = Section("loops", de_en(lang, "Reflexionsschleifen im Vergleich",
                                  "Reflection loops compared"), empty=text("no_data", lang))
    ratings = loop_ratings(store)
    if len(ratings):
        trends = loop_trends(ratings, "loop_satisfaction")
        kf["loop_satisfaction_slope"] = {
            str(p): float(part["slope"].iloc[0]) for p, part in trends.groupby("pilot_id")}
        sec.figures.append((partial(draw_satisfaction_trends, ratings=ratings, lang=lang), de_en(
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
            de_en(lang, "Kennzahl", "Measure"): [names.get(m, m) for m in bench["metric"]],
            cname: bench["company"],
            de_en(lang, "übrige Unternehmen", "other companies"): bench["peers"],
        })
        report.sections["benchmark"] = Section(
            "benchmark", de_en(lang, f"Anonymer Vergleich: {cname}",
                                f"Anonymous benchmark: {cname}"),
            text=de_en(
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
    parts = [de_en(
        lang,
        f"Im Netzwerk arbeiteten {kf['n_companies']} Unternehmen mit {kf['n_participants']} "
        f"Beschäftigten in {kf['n_pilots']} wissenschaftlich begleiteten Pilotprojekten.",
        f"{kf['n_companies']} companies with {kf['n_participants']} employees worked in "
        f"{kf['n_pilots']} scientifically accompanied pilot projects.")]
    effects = kf.get("effects", {})
    improved = [p for p, e in effects.items() if e.get("dig", {}).get("mean_diff", 0) > 0.3]
    if effects:
        parts.append(de_en(
            lang,
            f"In {len(improved)} von {len(effects)} Pilotprojekten stiegen die selbst "
            "eingeschätzten digitalen Kompetenzen spürbar (um mehr als 0,3 Punkte).",
            f"In {len(improved)} of {len(effects)} pilots, self-assessed digital skills rose "
            "noticeably (by more than 0.3 points)."))
    gas = kf.get("gas", {})
    if gas:
        reached = [p for p, g in gas.items() if (g.get("t_follow_up") or 0) >= 50]
        parts.append(de_en(
            lang, f"{len(reached)} Pilotprojekte erreichten ihre Ziele wie erwartet oder besser.",
            f"{len(reached)} pilots reached their goals as expected or better."))
    if "benchmark" in kf:
        parts.append(de_en(
            lang, "Am Ende steht ein anonymer Vergleich eines Unternehmens mit den übrigen.",
            "The report ends with an anonymous benchmark of one company against the others."))
    return " ".join(parts)
