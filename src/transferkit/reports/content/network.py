"""The network report: all pilots side by side, and the anonymous benchmark of one
company against the pooled rest of the network."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from transferkit.i18n import has_text
from transferkit.i18n import text as i18n_text
from transferkit.reports.content.common import Report, Section, plain
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
from transferkit.reports.content.methods import data_source, footer_text, methods_section
from transferkit.reports.content.numbers import format_nps, format_number
from transferkit.reports.content.pooled import pooled_effects, pooled_text
from transferkit.reports.content.texts import label, text

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

    from transferkit.reports.content.common import KeyFigures
    from transferkit.store import Store
    from transferkit.store.values import JSONValue, Row

__all__ = [
    "MIN_GROUP",
    "company_benchmark",
    "effects_by_pilot",
    "network_report",
    "participation_hidden",
]


#: Smallest group shown in anonymous comparisons; smaller groups are suppressed.
MIN_GROUP = 3


def effects_by_pilot(assessment: pd.DataFrame) -> pd.DataFrame:
    """:func:`~transferkit.evaluation.prepost` of each scale per pilot: one row per scale and pilot."""
    import pandas as pd

    from transferkit.evaluation import prepost

    long = scale_scores_long(assessment)
    # a pilot that has only started (no post answers yet) has no effect to show
    started = [
        pilot
        for pilot, part in long.groupby("pilot_id")
        if {"pre", "post"} <= set(part["time"].dropna())
    ]
    long = long[long["pilot_id"].isin(started)]
    if long.empty:
        return pd.DataFrame(columns=["scale", "pilot_id", "n", "mean_diff", "d_av"])
    parts = []
    for scale in SCALES:
        part = prepost(
            long[long["scale"] == scale],
            "pre",
            "post",
            subject="participant",
            group="pilot_id",
            within="time",
            dv="score",
            overall=False,
        )
        part.insert(0, "scale", scale)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def company_benchmark(store: Store, company_id: str, lang: str = "de") -> pd.DataFrame:
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
    rows: list[Row] = []

    def add(metric: str, own: pd.Series, peer: NDArray[np.object_], own_companies: int = 1) -> None:
        own_vals = pd.Series(own, dtype="float64").dropna()
        peer_vals = pd.DataFrame(peer, columns=["company_id", "value"]).dropna()
        peer_companies = peer_vals["company_id"].nunique()
        ok_own, ok_peer = (
            len(own_vals) >= MIN_GROUP,
            (peer_companies >= MIN_GROUP and len(peer_vals) >= MIN_GROUP),
        )
        rows.append(
            {
                "metric": metric,
                "company": float(own_vals.mean()) if ok_own else np.nan,
                "company_n": len(own_vals),
                "peers": float(peer_vals["value"].mean()) if ok_peer else np.nan,
                "peers_n": len(peer_vals),
                "peer_companies": int(peer_companies),
                "suppressed": not (ok_own and ok_peer),
            }
        )

    assessment = self_assessment(store)
    long = scale_scores_long(assessment)
    wide = long.pivot_table(
        index=["participant", "company_id", "scale"],
        columns="time",
        values="score",
        aggfunc="first",
    ).reset_index()
    if {"pre", "post"} <= set(wide.columns):
        wide["change"] = wide["post"] - wide["pre"]
        for scale in SCALES:
            part = wide[wide["scale"] == scale]
            mine = part["company_id"] == company_id
            add(
                f"change_{scale}",
                part.loc[mine, "change"],
                part.loc[~mine, ["company_id", "change"]].to_numpy(),
            )
    ratings = loop_ratings(store)
    if len(ratings):
        per_person = ratings.groupby("participant")["loop_satisfaction"].mean().reset_index()
        per_person["company_id"] = per_person["participant"].map(company_by_participant)
        mine = per_person["company_id"] == company_id
        add(
            "loop_satisfaction",
            per_person.loc[mine, "loop_satisfaction"],
            per_person.loc[~mine, ["company_id", "loop_satisfaction"]].to_numpy(),
        )
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
        gap_by_person = gaps.groupby(["participant", "company_id"], as_index=False)["gap"].mean()
        mine = gap_by_person["company_id"] == company_id
        add(
            "needs_gap",
            gap_by_person.loc[mine, "gap"],
            gap_by_person.loc[~mine, ["company_id", "gap"]].to_numpy(),
        )
    return pd.DataFrame(rows)


def participation_hidden(table: pd.DataFrame) -> pd.Series:
    """Which participant counts of the participation table to hide (``True``).

    ``table`` has the columns ``key`` (``"size_class:micro"``, ``"sector:…"``,
    ``"role:…"``), ``companies`` and ``participants``. Groups of fewer than
    :data:`MIN_GROUP` companies are hidden, and by complementary suppression
    (:func:`transferkit.disclosure.suppress`) as many further groups as it takes so that
    no hidden count follows from the others: the size classes and the sectors each add
    up to the network's participants (shown in the report's subtitle). Roles overlap (a
    company has several), so they add up to no published total. A group that holds every
    company of the network equals the total in the subtitle: it is hidden all the same,
    though no table can protect it.
    """
    import pandas as pd

    from transferkit.disclosure import suppress

    kind = table["key"].astype(str).str.split(":", n=1).str[0]
    margins = [
        [int(i) for i in range(len(table)) if kind.iloc[i] == column]
        for column in ("size_class", "sector")
    ]
    hidden = suppress(
        table["participants"].astype(float).tolist(),
        (table["companies"] < MIN_GROUP).tolist(),
        [m for m in margins if m],
        unprotectable="hide",  # a group that is the whole network: the subtitle shows it
    )
    return pd.Series(hidden, index=table.index)


def _metric_value(metric: object, value: object, lang: str) -> str:
    """A benchmark value as published: the NPS as a signed whole number, others to 2 decimals."""
    if metric == "nps":
        return format_nps(value, lang)
    return format_number(value, 2, lang)


def _metric_name(metric: str, lang: str) -> str:
    """A benchmark measure in words (``report.metric_<name>``), else its name."""
    key = f"metric_{metric}"
    return text(key, lang) if has_text(f"report.{key}") else metric


def network_report(store: Store, company_id: str = "", lang: str = "de") -> Report:
    """Everything the network report shows: all pilots side by side, optionally the
    anonymous benchmark of ``company_id`` against its peers."""
    import pandas as pd

    from transferkit.evaluation import gas_summary, loop_trends

    pilots = store.pilots()
    companies = store.companies()
    people = store.participants()
    name = network_name(store)
    report = Report(
        title=text("network_report", lang, name=name),
        subtitle=text(
            "pilot_projects_companies_participants",
            lang,
            pilots=len(pilots),
            companies=len(companies),
            people=len(people),
        ),
        summary="",
        lang=lang,
    )
    kf: KeyFigures = {
        "title": report.title,
        "n_pilots": len(pilots),
        "n_companies": len(companies),
        "n_participants": len(people),
    }
    title_col = text("title_en", lang)

    # overview
    goals = gas_goals(store)
    gas = gas_summary(goals, by="pilot_id") if len(goals) else pd.DataFrame()
    overview = pd.DataFrame(
        {
            text("pilot", lang): pilots["pilot_id"],
            text("title", lang): pilots[title_col],
            text("companies", lang): [
                len([c for c in str(v).split(";") if c]) for v in pilots["companies"]
            ],
            text("participants", lang): [
                int((people["pilot_id"] == p).sum()) for p in pilots["pilot_id"]
            ],
            text("loops_2", lang): pilots["loops"].astype("Int64").astype(str),
        }
    )
    report.sections["overview"] = Section(
        "overview", text("the_pilot_projects", lang), tables=[(overview, "")]
    )

    # effects (forest plot)
    sec = Section("effects", text("effects_compared", lang), empty=text("no_data", lang))
    assessment = self_assessment(store)
    effects = effects_by_pilot(assessment) if len(assessment) else pd.DataFrame()
    if len(effects):
        kf["effects"] = {
            str(p): {
                str(r["scale"]): {"n": int(r["n"]), "mean_diff": r["mean_diff"], "d_av": r["d_av"]}
                for _, r in part.iterrows()
            }
            for p, part in effects.groupby("pilot_id")
        }
        dig = effects[effects["scale"] == "digital"].sort_values("mean_diff", ascending=False)
        if len(dig):
            sec.text = text(
                "showed_the_largest_change_in",
                lang,
                dig_pilot_id=dig["pilot_id"].iloc[0],
                dig=format_number(dig["mean_diff"].iloc[0], 2, lang),
            )
        pooled = pooled_effects(effects)
        if len(pooled):
            kf["pooled"] = {
                str(r["scale"]): {
                    name: r[name]
                    for name in (
                        "k",
                        "estimate",
                        "se",
                        "ci95_low",
                        "ci95_high",
                        "tau2",
                        "i2",
                        "q",
                        "df",
                        "p_q",
                        "pi95_low",
                        "pi95_high",
                    )
                }
                for _, r in pooled.iterrows()
            }
            sec.text = "\n\n".join((sec.text, pooled_text(pooled, lang)))
        sec.figures.append(
            (
                partial(draw_forest, effects=effects, pooled=pooled, lang=lang),
                i18n_text("network.pooled_caption", lang)
                if len(pooled)
                else text("change_in_self_assessment_after", lang),
            )
        )
    report.sections["effects"] = sec

    # GAS comparison
    sec = Section("gas", text("goal_attainment_compared", lang), empty=text("no_data", lang))
    if len(gas):
        kf["gas"] = {
            str(r["pilot_id"]): {
                "t_baseline": r["t_baseline"],
                "t_follow_up": r["t_follow_up"],
                "n_rated": int(r["n_rated"]),
                "n_pending": int(r["n_missing"]),
            }
            for _, r in gas.iterrows()
        }
        pending = int(gas["n_missing"].sum())
        if pending:  # T-scores are over the goals rated at both times only
            from transferkit.i18n import text as catalogue_text

            sec.text = catalogue_text(
                "gas.network_pending", lang, pending=pending, goals=int(gas["n_goals"].sum())
            )
        sec.figures.append(
            (
                partial(draw_shared_plot, "plot_gas", goals, by="pilot_id", lang=lang),
                text("gas_t_score_per_pilot", lang),
            )
        )
    report.sections["gas"] = sec

    # participation by size, sector and role (groups of fewer than MIN_GROUP companies hidden)
    sec = Section(
        "participation",
        text("participation_by_company_size_sector", lang),
        empty=text("no_data", lang),
    )
    per_company = people.groupby("company_id").size()
    comp = companies.assign(participants=companies["company_id"].map(per_company).fillna(0))
    breakdown = []
    for column, name_ in (("size_class", text("size", lang)), ("sector", text("sector", lang))):
        for value, group in comp.groupby(column):
            breakdown.append(
                {
                    "key": f"{column}:{value}",
                    "group": name_,
                    "value": label(value, lang),
                    "companies": len(group),
                    "participants": int(group["participants"].sum()),
                }
            )
    roles = comp.assign(role=comp["roles"].str.split(";")).explode("role")
    for value, group in roles.groupby("role"):
        if value:
            breakdown.append(
                {
                    "key": f"role:{value!s}",
                    "group": text("role", lang),
                    "value": label(value, lang),
                    "companies": len(group),
                    "participants": int(group["participants"].sum()),
                }
            )
    table = pd.DataFrame(breakdown)
    if len(table):  # no companies registered: nothing to break down
        hidden = participation_hidden(table)
        table["participants"] = table["participants"].astype("object").where(~hidden, "–")
        kf["participation"] = {f"{r['key']}": r["participants"] for _, r in table.iterrows()}
        table = table.drop(columns="key")
        sec.tables.append(
            (
                table.rename(
                    columns={
                        "group": text("feature", lang),
                        "value": text("value_2", lang),
                        "companies": text("companies", lang),
                        "participants": text("participants", lang),
                    }
                ),
                i18n_text("network.groups_hidden", lang, MIN_GROUP=MIN_GROUP),
            )
        )
    report.sections["participation"] = sec

    # loop satisfaction across pilots
    sec = Section("loops", text("reflection_loops_compared", lang), empty=text("no_data", lang))
    ratings = loop_ratings(store)
    if len(ratings):
        trends = loop_trends(ratings, "loop_satisfaction")
        kf["loop_satisfaction_slope"] = {
            str(p): float(part["slope"].iloc[0]) for p, part in trends.groupby("pilot_id")
        }
        sec.figures.append(
            (
                partial(draw_satisfaction_trends, ratings=ratings, lang=lang),
                text("satisfaction_with_the_reflection_loops", lang),
            )
        )
    report.sections["loops"] = sec

    # anonymous benchmark
    if company_id:
        bench = company_benchmark(store, company_id, lang)
        kf["benchmark"] = {
            "company_id": company_id,
            "metrics": {
                str(r["metric"]): {
                    "company": r["company"],
                    "peers": r["peers"],
                    "suppressed": bool(r["suppressed"]),
                }
                for _, r in bench.iterrows()
            },
        }
        cname = dict(zip(companies["company_id"], companies["name"], strict=True)).get(
            company_id, company_id
        )
        table = pd.DataFrame(
            {
                text("measure", lang): [_metric_name(str(m), lang) for m in bench["metric"]],
                cname: [
                    _metric_value(m, v, lang)
                    for m, v in zip(bench["metric"], bench["company"], strict=True)
                ],
                text("other_companies", lang): [
                    _metric_value(m, v, lang)
                    for m, v in zip(bench["metric"], bench["peers"], strict=True)
                ],
            }
        )
        report.sections["benchmark"] = Section(
            "benchmark",
            text("anonymous_benchmark", lang, cname=cname),
            text=text("the_company_s_values_against", lang, MIN_GROUP=MIN_GROUP),
            tables=[(table, "")],
        )
    report.summary = _network_summary(kf, lang)
    report.key_figures = plain(kf)
    report.sections["methods"] = methods_section("network", lang)
    if "pooled" in kf:
        report.sections["methods"].items.insert(-1, i18n_text("network.pooled_methods", lang))
    report.footer = footer_text(lang, data_source(store))
    return report


def _network_summary(kf: Mapping[str, JSONValue], lang: str) -> str:
    parts = [
        text(
            "companies_with_employees_worked_in",
            lang,
            n_companies=kf["n_companies"],
            n_participants=kf["n_participants"],
            n_pilots=kf["n_pilots"],
        )
    ]
    effects = kf.get("effects", {})
    improved = [p for p, e in effects.items() if e.get("digital", {}).get("mean_diff", 0) > 0.3]
    if effects:
        parts.append(
            text("in_of_pilots_self_assessed", lang, improved=len(improved), effects=len(effects))
        )
    gas = kf.get("gas", {})
    if gas:
        reached = [p for p, g in gas.items() if (g.get("t_follow_up") or 0) >= 50]
        parts.append(text("pilots_reached_their_goals_as", lang, reached=len(reached)))
    if "benchmark" in kf:
        parts.append(text("the_report_ends_with_an", lang))
    return " ".join(parts)
