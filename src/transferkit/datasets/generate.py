"""Deterministic generator of the demo network (the only source of the shipped data).

Everything in ``datasets/demo/`` is written by :func:`write_demo` from one
seeded :func:`generate` call: first the raw sheet responses (the records a
store would hold) from the literals of :mod:`transferkit.datasets.spec`, then
the tidy tables *derived from those responses* by :mod:`transferkit.datasets.tidy`
(the converter the reports use on a store), so the CSV files and
``responses.jsonl`` always agree. Never edit the shipped files by hand; change
``spec`` or this module and run::

    python -m transferkit.datasets.generate            # rewrites datasets/demo/
    python -m transferkit.datasets.generate OUT_DIR    # writes somewhere else
    python -m transferkit.datasets.generate --codebook data/README.md   # also the codebook

The network is fictional: the *Qualifizierungsverbund Albtrauf*, twelve
metal/electrical and textile SMEs in three regions of Baden-Württemberg, six
scientifically accompanied pilot projects with three reflection loops each
and 60 pseudonymous participants. Effects are built in on purpose (see
``spec.PILOTS``): the digital-tool and AI pilots raise digital skills by about
0.7-0.9 SD, the sustainable-product pilot leaves soft skills unchanged, the
agile pilot's loop ratings go down, the AI pilot has a negative ROI.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from transferkit.datasets import tidy
from transferkit.datasets.spec import (
    CODERS,
    CODING_CATEGORIES,
    COMMENTS,
    COMPANIES,
    DISCUSSED_WITH,
    EXCHANGE_WITH,
    FORMAT_TIME,
    GOAL_TOPICS,
    HOURLY_RATE_EUR,
    LOOPS,
    NETWORK,
    OBSTACLES,
    OWNERS,
    PILOTS,
    TEXTS,
)
from transferkit.privacy import CODE_ALPHABET, CODE_LENGTH
from transferkit.vocabulary import (
    FORMATS,
    OPEN_STATUSES,
    PHASE_RATINGS,
    PHASE_TEXTS,
    SCALE_GROUPS,
    TOPICS,
)

if TYPE_CHECKING:
    from transferkit.store.values import Answers, Row

__all__ = [
    "BLANK_ITEMS",
    "DEFAULT_SEED",
    "DEMO_DIR",
    "FORMATS",
    "NETWORK",
    "PHASE_RATINGS",
    "TEMPLATE_VERSIONS",
    "TOPICS",
    "DemoData",
    "csv_text",
    "generate",
    "main",
    "write_codebook",
    "write_demo",
]

#: Seed of the shipped demo data.
DEFAULT_SEED = 20250203
#: Folder of the shipped files inside the package.
DEMO_DIR = Path(__file__).parent / "demo"
#: Version of each built-in template the demo responses were written for.
TEMPLATE_VERSIONS: dict[str, int] = {
    "competence_self_assessment": 1,
    "pilot_goals": 1,
    "training_feedback": 1,
    "needs_analysis": 1,
    "reflection_loop": 1,
}

SCALES: dict[str, tuple[str, ...]] = SCALE_GROUPS
ITEMS: tuple[str, ...] = tuple(item for items in SCALES.values() for item in items)
REVERSE_KEYED = ("soft_3",)
#: Single self-assessment items left blank. 0 while the built-in template
#: ``competence_self_assessment`` makes every item required (a blank item would
#: make the response invalid); set to e.g. 6 once the items are optional.
BLANK_ITEMS = 0
_NAMESPACE = uuid.UUID("6f1c2d3e-4b5a-4c7d-8e9f-a0b1c2d3e4f5")


@dataclass(eq=False)
class DemoData:
    """Result of :func:`generate`: tidy tables by name and the raw response records."""

    tables: dict[str, pd.DataFrame]
    responses: list[Row]


def _rng(seed: int, stream: int) -> np.random.Generator:
    """One independent random stream per part of the data (changing one keeps the others)."""
    return np.random.default_rng([seed, stream])


def _likert(x: float) -> int:
    return int(min(5, max(1, round(x))))


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _when(day: date, rng: np.random.Generator) -> str:
    """A weekday working-hours timestamp on or after ``day``, German local time with offset."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minute = int(rng.integers(7 * 60 + 30, 16 * 60 + 30))
    return _stamp(day, minute // 60, minute % 60)


def _stamp(day: date, hour: int, minute: int) -> str:
    """ISO 8601 with the Europe/Berlin offset (CEST from the last Sunday of March to October)."""
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    offset = "+02:00" if summer else "+01:00"
    return f"{datetime(day.year, day.month, day.day, hour, minute).isoformat()}{offset}"


def _record(
    template: str,
    answers: Answers,
    *,
    pilot: str | None,
    loop: int | None,
    phase: str | None,
    participant: str | None,
    submitted_at: str,
) -> Row:
    key = f"{template}|{pilot}|{loop}|{phase}|{participant}|{submitted_at}"
    return {
        "template": template,
        "template_version": TEMPLATE_VERSIONS[template],
        "pilot": pilot,
        "loop": loop,
        "phase": phase,
        "participant": participant,
        "submitted_at": submitted_at,
        "submission_id": str(uuid.uuid5(_NAMESPACE, key)),
        "answers": answers,
    }


def _rows(df: pd.DataFrame) -> list[Row]:
    return [{str(k): v for k, v in r.items()} for r in df.to_dict(orient="records")]


def _loop_dates(pilot: Row) -> list[tuple[date, date]]:
    start, end = pilot["start"], pilot["end"]
    length = (end - start).days // LOOPS
    return [
        (start + timedelta(days=k * length), start + timedelta(days=(k + 1) * length - 1))
        for k in range(LOOPS)
    ]


# ----------------------------------------------------------------- structure
def _companies() -> pd.DataFrame:
    rows = []
    for company_id, name, sector, employees, region, roles in COMPANIES:
        size = "micro" if employees < 10 else "small" if employees < 50 else "medium"
        rows.append(
            {
                "company_id": company_id,
                "name": name,
                "size_class": size,
                "employees": employees,
                "sector": sector,
                "region": region,
                "roles": roles,
            }
        )
    return pd.DataFrame(rows)


def _pilots() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "pilot_id": p["pilot_id"],
                "title_de": p["title_de"],
                "title_en": p["title_en"],
                "topic": p["topic"],
                "companies": ";".join(p["companies"]),
                "start": p["start"].isoformat(),
                "end": p["end"].isoformat(),
                "loops": LOOPS,
            }
            for p in PILOTS
        ]
    )


def _participants(seed: int) -> pd.DataFrame:
    rng = _rng(seed, 1)
    employees = {c[0]: c[3] for c in COMPANIES}
    alphabet = np.array(list(CODE_ALPHABET))
    codes: set[str] = set()
    rows = []
    for pilot in PILOTS:
        companies = list(pilot["companies"])
        weights = np.sqrt([employees[c] for c in companies])
        # every company sends at least one person, the rest by (sqrt) size
        assigned = companies + list(
            rng.choice(companies, size=pilot["n"] - len(companies), p=weights / weights.sum())
        )
        for company in sorted(assigned):
            code = ""
            while not code or code in codes:
                code = "".join(rng.choice(alphabet, size=CODE_LENGTH))
            codes.add(code)
            rows.append(
                {"participant": code, "company_id": str(company), "pilot_id": pilot["pilot_id"]}
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- responses
def _self_assessment_responses(seed: int, participants: pd.DataFrame) -> list[Row]:
    rng = _rng(seed, 2)
    pilots = {p["pilot_id"]: p for p in PILOTS}
    intercept = {
        "dig_1": 2.9, "dig_2": 3.1, "dig_3": 2.6, "dig_4": 2.8,
        "soft_1": 3.4, "soft_2": 3.2, "soft_3": 3.1, "soft_4": 3.5,
        "sus_1": 2.8, "sus_2": 2.5, "sus_3": 3.0,
    }  # fmt: skip
    # residual = stable person-item part + occasion noise (test-retest reliability)
    loading, stable, noise = 0.8, 0.45, 0.4
    corr = np.array([[1.0, 0.3, 0.2], [0.3, 1.0, 0.25], [0.2, 0.25, 1.0]])
    n = len(participants)
    theta = rng.multivariate_normal(np.zeros(3), corr, size=n)
    person_item = rng.normal(0.0, stable, size=(n, len(ITEMS)))
    no_post = set(rng.choice(n, size=4, replace=False).tolist())
    records = []
    for i, row in enumerate(_rows(participants)):
        pilot = pilots[row["pilot_id"]]
        pre_day = pilot["start"] + timedelta(days=int(rng.integers(0, 7)))
        post_day = pilot["end"] - timedelta(days=int(rng.integers(0, 10)))
        change = rng.normal(0.0, 0.2, size=3)
        for time, day in (("pre", pre_day), ("post", post_day)):
            answers: Answers = {"measurement": time}
            for s, (scale, items) in enumerate(SCALES.items()):
                level = theta[i, s]
                if time == "post":
                    level += pilot["effect"][scale] / loading + change[s]
                for item in items:
                    residual = person_item[i, ITEMS.index(item)] + rng.normal(0.0, noise)
                    value = _likert(intercept[item] + loading * level + residual)
                    answers[item] = 6 - value if item in REVERSE_KEYED else value
            if time == "post" and i in no_post:
                continue  # dropped out before the post measurement
            records.append(
                _record(
                    "competence_self_assessment",
                    answers,
                    pilot=row["pilot_id"],
                    loop=None,
                    phase=None,
                    participant=row["participant"],
                    submitted_at=_when(day, rng),
                )
            )
    # a few single items left blank (only if the template allows it, see BLANK_ITEMS)
    for k in rng.choice(len(records), size=BLANK_ITEMS, replace=False):
        item = str(rng.choice(ITEMS))
        records[int(k)]["answers"].pop(item)
    return records


def _goal_responses(participants: pd.DataFrame) -> list[Row]:
    records = []
    for pilot in PILOTS:
        coordinator = participants.loc[participants["pilot_id"] == pilot["pilot_id"], "participant"]
        goals = [
            {
                "goal": goal,
                "weight": float(weight),
                "levels": levels,
                "baseline": baseline,
                "follow_up": follow_up,
            }
            for goal, weight, baseline, follow_up, levels in pilot["goals"]
        ]
        day = pilot["end"] + timedelta(days=3)
        stamp = _stamp(day, 10, 0)
        records.append(
            _record(
                "pilot_goals",
                {"topic": GOAL_TOPICS[pilot["topic"]], "goals": goals},
                pilot=pilot["pilot_id"],
                loop=None,
                phase=None,
                participant=str(coordinator.iloc[0]),
                submitted_at=stamp,
            )
        )
    return records


def _feedback_responses(seed: int, participants: pd.DataFrame) -> list[Row]:
    rng = _rng(seed, 3)
    pilots = {p["pilot_id"]: p for p in PILOTS}
    base = {
        "reaction_1": 3.9, "reaction_2": 3.7, "reaction_3": 3.8,
        "learning_1": 3.6, "learning_2": 3.4,
        "behaviour_1": 3.3, "behaviour_2": 3.1,
    }  # fmt: skip
    records = []
    for row in _rows(participants):
        pilot = pilots[row["pilot_id"]]
        if rng.random() < 0.1:
            continue
        formats = pilot["formats"]
        weights = np.array([0.6, 0.25, 0.15][: len(formats)])
        fmt = str(rng.choice(formats, p=weights / weights.sum()))
        sat = rng.normal(pilot["satisfaction"], 0.8)
        answers: Answers = {"format": fmt}
        for item, mean in base.items():
            answers[item] = _likert(mean + 0.7 * sat + rng.normal(0.0, 0.55))
        answers["recommend"] = int(np.clip(round(7.9 + 1.7 * sat + rng.normal(0.0, 1.1)), 0, 10))
        if rng.random() < 0.3:
            answers["comment"] = str(rng.choice(COMMENTS))
        loop2 = _loop_dates(pilot)[1]
        records.append(
            _record(
                "training_feedback",
                answers,
                pilot=row["pilot_id"],
                loop=None,
                phase=None,
                participant=row["participant"],
                submitted_at=_when(loop2[0] + timedelta(days=int(rng.integers(0, 20))), rng),
            )
        )
    return records


def _needs_responses(seed: int, participants: pd.DataFrame) -> list[Row]:
    rng = _rng(seed, 4)
    pilots = {p["pilot_id"]: p for p in PILOTS}
    sectors = {c[0]: c[2] for c in COMPANIES}
    importance = {
        "metal_electrical": {"digital": 3.9, "soft": 3.5, "sustainability": 3.0},
        "textile": {"digital": 3.4, "soft": 3.5, "sustainability": 4.0},
    }
    competence = {
        "data_literacy": 2.5, "digital_tools": 3.0, "it_security": 2.7, "ai_use": 1.9,
        "communication": 3.5, "self_organisation": 3.3, "change_agility": 2.9, "teamwork": 3.7,
        "resource_efficiency": 3.0, "sustainable_products": 2.5, "csr_reporting": 2.0,
    }  # fmt: skip
    focus = {
        "digital_tool": "digital_tools",
        "agile_methods": "change_agility",
        "micro_learning": "self_organisation",
        "sustainable_product": "sustainable_products",
        "ai_assistant": "ai_use",
        "learning_tandems": "teamwork",
    }
    minutes_options = np.array([15, 30, 45, 60, 90, 120, 180])
    minutes_p = np.array([0.12, 0.24, 0.18, 0.2, 0.12, 0.09, 0.05])
    format_p = np.array([0.26, 0.2, 0.14, 0.1, 0.12, 0.08, 0.1])
    records = []
    for row in _rows(participants):
        pilot = pilots[row["pilot_id"]]
        sector = sectors[row["company_id"]]
        person = rng.normal(0.0, 0.5)
        answers: Answers = {}
        for topic, area in TOPICS.items():
            imp = importance[sector][area] + (0.8 if focus[pilot["topic"]] == topic else 0.0)
            answers[f"imp_{topic}"] = _likert(imp + rng.normal(0.0, 0.7))
            answers[f"comp_{topic}"] = _likert(competence[topic] + person + rng.normal(0.0, 0.7))
        minutes = int(rng.choice(minutes_options, p=minutes_p))
        n_formats = int(rng.integers(1, 4))
        p = format_p.copy()
        if minutes <= 30:
            p[[0, 6]] *= 2.5
        chosen = set(rng.choice(len(FORMATS), size=n_formats, replace=False, p=p / p.sum()))
        answers["formats"] = [f for k, f in enumerate(FORMATS) if k in chosen]
        answers["minutes_per_week"] = minutes
        if rng.random() < 0.8:
            talked = rng.random(len(DISCUSSED_WITH) - 1) < [0.7, 0.5, 0.25, 0.15]
            answers["discussed_with"] = [
                who for who, yes in zip(DISCUSSED_WITH, talked, strict=False) if yes
            ] or ["nobody"]
        day = pilot["start"] - timedelta(days=int(rng.integers(7, 22)))
        records.append(
            _record(
                "needs_analysis",
                answers,
                pilot=row["pilot_id"],
                loop=None,
                phase=None,
                participant=row["participant"],
                submitted_at=_when(day, rng),
            )
        )
    return records


def _action_flow(seed: int) -> dict[str, list[Row]]:
    """Action items per pilot with their status at each loop review."""
    rng = _rng(seed, 5)
    flows: dict[str, list[Row]] = {}
    for pilot in PILOTS:
        pool = list(pilot["actions"])
        loops = _loop_dates(pilot)
        items: list[Row] = []
        for loop in range(1, LOOPS + 1):
            # review at this loop's optimierung: earlier items still open
            for item in items:
                if item["status"] in OPEN_STATUSES:
                    u = rng.random()
                    if u < 0.55:
                        item["status"], item["loop_closed"] = "done", loop
                    elif u < 0.85:
                        item["status"] = "carried_over"
                    else:
                        item["status"], item["loop_closed"] = "dropped", loop
                    item["history"][loop] = item["status"]
            n_new = int(rng.integers(2, 4)) if loop < LOOPS else int(rng.integers(1, 3))
            review_day = loops[loop - 1][1] - timedelta(days=3)
            for _ in range(min(n_new, len(pool))):
                due = review_day + timedelta(days=int(rng.integers(14, 43)))
                items.append(
                    {
                        "what": pool.pop(0),
                        "who": str(rng.choice(OWNERS)),
                        "due": due.isoformat(),
                        "loop_raised": loop,
                        "status": "open",
                        "loop_closed": None,
                        "history": {loop: "open"},
                    }
                )
        flows[pilot["pilot_id"]] = items
    return flows


def _loop_responses(
    seed: int, participants: pd.DataFrame, flows: dict[str, list[Row]]
) -> list[Row]:
    rng = _rng(seed, 6)
    records = []
    phase_offset = {"information": 0.1, "anwendung": -0.2, "austausch": 0.15, "optimierung": 0.0}
    phase_day = {"information": 0.05, "anwendung": 0.4, "austausch": 0.7, "optimierung": 0.9}
    for pilot in PILOTS:
        members = participants.loc[participants["pilot_id"] == pilot["pilot_id"], "participant"]
        coordinator = str(members.iloc[0])
        person = dict(zip(members, rng.normal(0.0, 0.45, size=len(members)), strict=True))
        for loop, (first, last) in enumerate(_loop_dates(pilot), start=1):
            span = (last - first).days
            for code in members:
                if code != coordinator and rng.random() < 0.12:
                    continue
                for phase, question in PHASE_RATINGS.items():
                    is_review = phase == "optimierung" and code == coordinator
                    if not is_review and rng.random() < 0.05:
                        continue
                    mean = (
                        pilot["loop_base"]
                        + pilot["loop_slope"] * (loop - 1)
                        + phase_offset[phase]
                        + person[code]
                    )
                    answers: Answers = {question: _likert(mean + rng.normal(0.0, 0.6))}
                    text_id = PHASE_TEXTS[phase][0]
                    answers[text_id] = str(rng.choice(TEXTS[text_id]))
                    if phase == "anwendung" and rng.random() < 0.25:
                        answers["obstacles"] = str(rng.choice(OBSTACLES))
                    if phase == "austausch" and rng.random() < 0.5:
                        talked = rng.random(len(EXCHANGE_WITH)) < [0.8, 0.4, 0.3, 0.35, 0.25]
                        answers["exchange_with"] = [
                            who for who, yes in zip(EXCHANGE_WITH, talked, strict=True) if yes
                        ] or ["colleagues"]
                    if is_review:
                        answers["actions"] = [
                            {
                                "what": item["what"],
                                "who": item["who"],
                                "due": item["due"],
                                "status": item["history"][loop],
                            }
                            for item in flows[pilot["pilot_id"]]
                            if loop in item["history"]
                        ]
                    day = first + timedelta(days=int(span * phase_day[phase]))
                    day += timedelta(days=int(rng.integers(0, 3)))
                    records.append(
                        _record(
                            "reflection_loop",
                            answers,
                            pilot=pilot["pilot_id"],
                            loop=loop,
                            phase=phase,
                            participant=code,
                            submitted_at=_when(day, rng),
                        )
                    )
    return records


# ---------------------------------------------------------- other tidy tables
def _format_plan(
    seed: int, participants: pd.DataFrame, needs_profile: pd.DataFrame
) -> pd.DataFrame:
    rng = _rng(seed, 7)
    pilots = {p["pilot_id"]: p for p in PILOTS}
    preferred = dict(zip(needs_profile["participant"], needs_profile["formats"], strict=True))
    rows = []
    for row in _rows(participants):
        formats = [pilots[row["pilot_id"]]["formats"][0]]
        for fmt in str(preferred[row["participant"]]).split(";"):
            if fmt not in formats and len(formats) < 3 and rng.random() < 0.6:
                formats.append(fmt)
        for fmt in formats:
            (m_lo, m_hi), (s_lo, s_hi) = FORMAT_TIME[fmt]
            minutes = int(rng.integers(m_lo, m_hi + 1))
            if minutes > 30:
                minutes = max(m_lo, 15 * round(minutes / 15))
            rows.append(
                {
                    "company_id": row["company_id"],
                    "participant": row["participant"],
                    "format": fmt,
                    "sessions": int(rng.integers(s_lo, s_hi + 1)),
                    "minutes_per_session": minutes,
                }
            )
    df = pd.DataFrame(rows)
    return df.sort_values(["company_id", "participant"], kind="stable").reset_index(drop=True)


def _costs_benefits(
    seed: int, participants: pd.DataFrame, format_plan: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = _rng(seed, 8)
    plan = format_plan.merge(participants[["participant", "pilot_id"]], on="participant")
    plan_minutes = (plan["sessions"] * plan["minutes_per_session"]).groupby(plan["pilot_id"]).sum()
    costs, benefits = [], []
    for pilot in PILOTS:
        pid = pilot["pilot_id"]
        # learning time: planned minutes plus the loop meetings (4 x 45 min per loop)
        hours = plan_minutes[pid] / 60 + pilot["n"] * LOOPS * 3.0
        items = {"staff_learning_time": round(hours * HOURLY_RATE_EUR, -1), **pilot["costs"]}
        for name, amount in items.items():
            costs.append({"pilot_id": pid, "cost_item": name, "amount_eur": int(amount)})
        total = sum(items.values())
        target = total * (1 + pilot["roi"] + rng.normal(0.0, 0.03))
        for name, share in pilot["benefits"].items():
            amount = int(round(target * share, -1))
            benefits.append({"pilot_id": pid, "benefit_item": name, "amount_eur": amount})
    return pd.DataFrame(costs), pd.DataFrame(benefits)


def _indicators(seed: int, feedback: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(seed, 9)
    reaction = feedback[["reaction_1", "reaction_2", "reaction_3"]].mean(axis=1)
    satisfaction = reaction.groupby(feedback["pilot_id"]).mean()
    rows = []
    for pilot in PILOTS:
        pid = pilot["pilot_id"]
        rows.append(
            {
                "pilot_id": pid,
                "level": 1,
                "indicator": "satisfaction",
                "value": round(float(satisfaction[pid]), 2),
                "unit": "likert_1_5",
            }
        )
        for level, name, value, unit in pilot["indicators"]:
            jitter = rng.normal(0.0, 0.03 * abs(value))
            rows.append(
                {
                    "pilot_id": pid,
                    "level": level,
                    "indicator": name,
                    "value": round(value + jitter, 1),
                    "unit": unit,
                }
            )
    return pd.DataFrame(rows)


def _coding(seed: int) -> pd.DataFrame:
    rng = _rng(seed, 10)
    n_units = 40
    truth = rng.choice(len(CODING_CATEGORIES), size=n_units, p=[0.25, 0.2, 0.2, 0.12, 0.13, 0.1])
    accuracy = {"coder_a": 0.92, "coder_b": 0.87, "coder_c": 0.8}
    rows = []
    for unit in range(n_units):
        for coder in CODERS:
            category: str | None = CODING_CATEGORIES[truth[unit]]
            u = rng.random()
            if u < 0.05:
                category = None
            elif u > accuracy[coder]:
                others = [c for c in CODING_CATEGORIES if c != category]
                category = str(rng.choice(others))
            rows.append({"unit": f"N{unit + 1:02d}", "coder": coder, "category": category})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------- public
def generate(seed: int = DEFAULT_SEED) -> DemoData:
    """Generate the whole demo network from ``seed`` (same seed, same data)."""
    participants = _participants(seed)
    flows = _action_flow(seed)
    responses = (
        _needs_responses(seed, participants)
        + _self_assessment_responses(seed, participants)
        + _feedback_responses(seed, participants)
        + _loop_responses(seed, participants, flows)
        + _goal_responses(participants)
    )
    responses.sort(key=lambda r: (r["submitted_at"], r["submission_id"]))
    frame = tidy.responses_frame(responses)
    needs_profile = tidy.needs_profile(frame, participants)
    feedback = tidy.training_feedback(frame)
    format_plan = _format_plan(seed, participants, needs_profile)
    costs, benefits = _costs_benefits(seed, participants, format_plan)
    tables = {
        "network": pd.DataFrame([NETWORK]),
        "companies": _companies(),
        "pilots": _pilots(),
        "participants": participants,
        "self_assessment": tidy.self_assessment(frame, participants),
        "gas_goals": tidy.gas_goals(frame),
        "training_feedback": feedback,
        "needs": tidy.needs(frame, participants, TOPICS),
        "needs_profile": needs_profile,
        "loop_ratings": tidy.loop_ratings(frame),
        "action_items": tidy.action_items(frame),
        "costs": costs,
        "benefits": benefits,
        "indicators": _indicators(seed, feedback),
        "coding": _coding(seed),
        "format_plan": format_plan,
    }
    return DemoData(tables=tables, responses=responses)


def write_demo(directory: str | Path = DEMO_DIR, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every tidy table as ``<name>.csv`` and the raw records as ``responses.jsonl``.

    Output is byte-for-byte reproducible: same seed, same files.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(seed)
    written = []
    for name, df in data.tables.items():
        path = out / f"{name}.csv"
        path.write_text(csv_text(df), encoding="utf-8")
        written.append(path)
    path = out / "responses.jsonl"
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in data.responses]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(path)
    return written


def csv_text(df: pd.DataFrame) -> str:
    """``df`` as the shipped CSV text: a column of whole numbers is written without
    decimals (``3``, not ``3.0``; missing is empty), dates as ``YYYY-MM-DD``."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == "float64" and bool((values.dropna() % 1 == 0).all()):
            out[column] = values.astype("Int64")
    return str(out.to_csv(index=False, lineterminator="\n"))


def write_codebook(path: str | Path) -> Path:
    """Write the codebook (``data/README.md``) rendered from the catalogue."""
    from transferkit.datasets.catalogue import render_codebook

    out = Path(path)
    out.write_text(render_codebook() + "\n", encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m transferkit.datasets.generate [OUT_DIR] [--codebook README]``.

    Writes the demo files into ``OUT_DIR`` (default: the package's ``demo/``
    folder) and, with ``--codebook``, the rendered codebook to that file.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    codebook = None
    if "--codebook" in args:
        at = args.index("--codebook")
        if at + 1 >= len(args):
            print("--codebook needs a file name, e.g. --codebook data/README.md")
            return 2
        codebook = args[at + 1]
        del args[at : at + 2]
    directory = Path(args[0]) if args else DEMO_DIR
    for path in write_demo(directory):
        print(f"wrote {path}")
    if codebook is not None:
        print(f"wrote {write_codebook(codebook)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
