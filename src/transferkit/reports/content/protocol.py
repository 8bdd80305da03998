"""The loop protocol (one reflection loop: inputs per phase, votes, decisions, open
items) and the key figures of each loop (as stored at closing, else computed now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transferkit.i18n import text as i18n_text
from transferkit.localtime import format_local
from transferkit.reports.content.common import (
    Report,
    Section,
    format_date,
    plain,
)
from transferkit.reports.content.data import LOOP_RATINGS, pilot_row
from transferkit.reports.content.methods import data_source, footer_text, methods_section
from transferkit.reports.content.numbers import format_number
from transferkit.reports.content.texts import status_label, text
from transferkit.vocabulary import PHASE_TEXTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from transferkit.reports.content.common import KeyFigures
    from transferkit.store import Store, TemplateLike

__all__ = ["loop_figures", "loop_protocol"]


def loop_figures(
    store: Store,
    pilot_id: str,
    loops: Iterable[int] = (),
    *,
    template: TemplateLike | str = "reflection_loop",
    stored: bool = True,
) -> pd.DataFrame:
    """Key figures of each reflection loop of a pilot (those with answer sheets and ``loops``).

    Computed now from the pilot's answer sheets and action items by
    :func:`transferkit.evaluation.loops.loop_indicators` (ratings :data:`LOOP_RATINGS`),
    with its columns. With ``stored`` (the reports), a loop the moderator closed has the
    figures stored then (``Store.loop_closings``) instead, and two columns follow:
    ``closed_at`` (``NaT`` while open) and ``dots`` (the moderator's dot vote on groups;
    empty while open). ``stored=False`` gives the figures as they are now (closing a loop).
    """
    import pandas as pd

    from transferkit.evaluation.loops import loop_indicators

    closings = store.loop_closings(pilot_id).set_index("loop") if stored else None
    wanted = [int(n) for n in loops] + ([] if closings is None else list(closings.index))
    frame = store.responses(template=template, pilot=pilot_id)
    figures = loop_indicators(
        frame, store.action_items(pilot_id), ratings=list(LOOP_RATINGS.values()), loops=wanted
    )
    if closings is None:
        return figures
    figures = figures.set_index("loop")
    for column in figures.columns.intersection(closings.columns):
        figures.loc[closings.index, column] = closings[column]
    figures["closed_at"] = closings["closed_at"].reindex(figures.index)
    dots = closings["dots"].reindex(figures.index)
    figures["dots"] = pd.Series(
        [d if isinstance(d, list) else [] for d in dots], index=figures.index, dtype=object
    )
    return figures.reset_index()


def loop_protocol(store: Store, pilot_id: str, loop: int, lang: str = "de") -> Report:
    """The protocol of one reflection loop: inputs per phase, votes, decisions (action items
    with owners and due dates) and open items carried over. No participant codes are shown.
    The key figures are those stored when the loop was closed, if it was."""
    import pandas as pd

    pilot = pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if lang == "en" else pilot["title_de"])
    report = Report(
        title=text("protocol_of_reflection_loop", lang, loop=loop),
        subtitle=f"{pilot_id}: {title}",
        summary="",
        lang=lang,
    )
    kf: KeyFigures = {"title": f"{report.title} – {pilot_id}", "pilot_id": pilot_id, "loop": loop}
    figures = loop_figures(store, pilot_id, [loop])
    row = figures[figures["loop"] == loop].iloc[0]
    frame = store.responses(template="reflection_loop", pilot=pilot_id, loop=loop)
    kf["n_participants"] = int(row["participants"])
    kf["phases"] = {}
    for phase in LOOP_RATINGS:
        label = text(f"phase_{phase}", lang)
        part = frame[frame["phase"] == phase] if len(frame) else frame
        rating = LOOP_RATINGS[phase]
        mean = row[f"{rating}_mean"]
        texts = [
            str(t)
            for t in part.get(PHASE_TEXTS[phase][0], pd.Series(dtype=object)).dropna()
            if str(t).strip()
        ]
        kf["phases"][phase] = {
            "n": int(row[f"{rating}_n"]),
            "mean_rating": None if pd.isna(mean) else float(mean),
        }
        sec = Section(phase, text("phase", lang, label=label), empty=text("no_input", lang))
        if kf["phases"][phase]["n"] or texts:
            n = kf["phases"][phase]["n"]
            sec.text = text(
                "contributions_mean_rating_1_5",
                lang,
                n=n,
                rating=format_number(kf["phases"][phase]["mean_rating"], 1, lang),
            )
            sec.items = list(dict.fromkeys(texts))  # one bullet per input, shown as text
        report.sections[phase] = sec

    # votes (round tables of this pilot and loop) and the moderator's dots on groups
    votes = store.responses(template="round_table", pilot=pilot_id, loop=loop)
    sec = Section("votes", text("votes", lang), empty=text("there_was_no_vote_in", lang))
    if len(votes) and "votes" in votes.columns:
        tally: dict[str, int] = {}
        for ballot in votes["votes"].dropna():
            for option, points in dict(ballot).items():
                tally[str(option)] = tally.get(str(option), 0) + int(points)
        if tally:
            kf["votes"] = dict(sorted(tally.items(), key=lambda kv: -kv[1]))
            sec.tables.append(
                (
                    pd.DataFrame(
                        {
                            text("proposal", lang): list(kf["votes"]),
                            text("points", lang): list(kf["votes"].values()),
                        }
                    ),
                    "",
                )
            )
    phone = _phone_votes(store, pilot_id, loop)  # the round table's live vote from phones
    if phone:
        kf["phone_votes"] = phone
        sec.tables.append(
            (
                pd.DataFrame(
                    {
                        text("proposal", lang): list(phone),
                        text("points", lang): list(phone.values()),
                    }
                ),
                i18n_text("vote.phone_vote", lang),
            )
        )
    if row["dots"]:
        kf["dots"] = {str(d["group"]): int(d["dots"]) for d in row["dots"]}
        sec.tables.append(
            (
                pd.DataFrame(
                    {
                        text("group", lang): list(kf["dots"]),
                        text("dots", lang): list(kf["dots"].values()),
                    }
                ),
                text("the_moderator_s_dot_vote", lang),
            )
        )
    report.sections["votes"] = sec

    items = store.action_items(pilot_id)
    decided = items[items["loop_raised"] == loop] if len(items) else items
    carried = items[_carried_into(items, loop)] if len(items) else items
    kf["decisions"] = int(row["items_new"])
    kf["carried_over"] = int(row["items_carried_in"])
    sec = Section(
        "decisions", text("agreed_action_items", lang), empty=text("no_new_action_items", lang)
    )
    if len(decided):
        sec.tables.append((_items_table(decided, lang), ""))
    report.sections["decisions"] = sec
    sec = Section(
        "carried", text("open_items_carried_over_from", lang), empty=text("no_open_items", lang)
    )
    if len(carried):
        sec.tables.append((_items_table(carried, lang), ""))
    report.sections["carried"] = sec
    report.summary = text(
        "people_took_part_in_loop",
        lang,
        loop=loop,
        n_participants=kf["n_participants"],
        decisions=kf["decisions"],
        carried_over=kf["carried_over"],
    )
    if pd.notna(row["closed_at"]):
        kf["closed_at"] = row["closed_at"].isoformat()
        when = format_local(row["closed_at"].to_pydatetime(), lang)  # $TRANSFERKIT_TIMEZONE
        report.summary += text("the_moderator_closed_the_loop", lang, when=when)
    report.key_figures = plain(kf)
    report.sections["methods"] = methods_section("protocol", lang)
    report.footer = footer_text(lang, data_source(store))
    return report


def _phone_votes(store: Store, pilot_id: str, loop: int) -> dict[str, int]:
    """Points per idea of the round table's vote from phones in this loop, most first
    (``transferkit.store.votes``; the grouping vote is in the closing's dots already)."""
    from sqlalchemy import inspect

    from transferkit.store.votes import VoteKey, VoteStore, vote_sessions_table

    if not inspect(store.engine).has_table(vote_sessions_table.name):
        return {}  # no vote ever opened: a report creates no tables
    totals = VoteStore.for_store(store).totals(VoteKey(pilot_id, loop, "round_table"))
    ranked = sorted((t for t in totals if t.points), key=lambda t: -t.points)
    return {t.label: t.points for t in ranked}


def _carried_into(items: pd.DataFrame, loop: int) -> pd.Series:
    """Mask of the items raised before ``loop`` and not yet done or dropped when it began
    (as ``carried_in`` of :func:`transferkit.evaluation.action_item_flow`)."""
    import pandas as pd

    raised = pd.to_numeric(items["loop_raised"], errors="coerce").astype("float64")
    resolved = items["status"].isin(["done", "dropped"])
    closed = pd.to_numeric(items["loop_closed"], errors="coerce").astype("float64")
    closed = closed.fillna(raised).where(resolved)
    # plain floats: a missing loop is NaN (comparisons False), never pd.NA, whose mask
    # would silently drop every item still open (carried over) from the protocol
    before = (raised < loop).to_numpy(dtype=bool)
    closed_before = (closed < loop).to_numpy(dtype=bool)
    return pd.Series(before & ~closed_before, index=items.index)


def _items_table(items: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            text("action", lang): items["what"],
            text("owner", lang): items["owner"].fillna("–"),
            text("due", lang): items["due"].map(format_date),
            text("status_now", lang): items["status"].map(lambda s: status_label(s, lang)),
        }
    )
