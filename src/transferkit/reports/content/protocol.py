"""The loop protocol (one reflection loop: inputs per phase, votes, decisions, open
items) and the key figures of each loop (as stored at closing, else computed now)."""

from __future__ import annotations

from typing import Any

from transferkit.reports.content.common import (
    Report,
    Section,
    de_en,
    format_date,
    format_number,
    plain,
)
from transferkit.reports.content.data import LOOP_RATINGS, pilot_row
from transferkit.reports.content.texts import status_label

__all__ = ["loop_figures", "loop_protocol"]


_PHASES = {
    "de": {"information": "Information", "anwendung": "Anwendung", "austausch": "Austausch",
           "optimierung": "Optimierung"},
    "en": {"information": "Information", "anwendung": "Application", "austausch": "Exchange",
           "optimierung": "Optimisation"},
}
_PHASE_TEXTS = {"information": "learned", "anwendung": "tried", "austausch": "worked",
                "optimierung": "lessons"}


def loop_figures(store: Any, pilot_id: str, loops: Any = (), *,
                 template: Any = "reflection_loop", stored: bool = True) -> Any:
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
    figures = loop_indicators(frame, store.action_items(pilot_id),
                              ratings=list(LOOP_RATINGS.values()), loops=wanted)
    if closings is None:
        return figures
    figures = figures.set_index("loop")
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

    pilot = pilot_row(store, pilot_id)
    title = str(pilot["title_en"] if lang == "en" else pilot["title_de"])
    report = Report(
        title=de_en(lang, f"Protokoll der Reflexionsschleife {loop}", f"Protocol of reflection "
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
        sec = Section(phase, de_en(lang, f"Phase {label}", f"Phase: {label}"),
                      empty=de_en(lang, "Keine Beiträge.", "No input."))
        if kf["phases"][phase]["n"] or texts:
            n = kf["phases"][phase]["n"]
            sec.text = de_en(
                lang, f"{n} Beiträge; mittlere Bewertung "
                      f"{format_number(kf['phases'][phase]['mean_rating'], 1, lang)} (1–5).",
                f"{n} contributions; mean rating "
                f"{format_number(kf['phases'][phase]['mean_rating'], 1, lang)} (1–5).")
            sec.items = list(dict.fromkeys(texts))  # one bullet per input, shown as text
        report.sections[phase] = sec

    # votes (round tables of this pilot and loop) and the moderator's dots on groups
    votes = store.responses(template="round_table", pilot=pilot_id, loop=loop)
    sec = Section("votes", de_en(lang, "Abstimmung", "Votes"),
                  empty=de_en(lang, "In dieser Schleife wurde nicht abgestimmt.",
                               "There was no vote in this loop."))
    if len(votes) and "votes" in votes.columns:
        tally: dict[str, int] = {}
        for ballot in votes["votes"].dropna():
            for option, points in dict(ballot).items():
                tally[str(option)] = tally.get(str(option), 0) + int(points)
        if tally:
            kf["votes"] = dict(sorted(tally.items(), key=lambda kv: -kv[1]))
            sec.tables.append((pd.DataFrame({
                de_en(lang, "Vorschlag", "Proposal"): list(kf["votes"]),
                de_en(lang, "Punkte", "Points"): list(kf["votes"].values())}), ""))
    if row["dots"]:
        kf["dots"] = {str(d["group"]): int(d["dots"]) for d in row["dots"]}
        sec.tables.append((pd.DataFrame({
            de_en(lang, "Gruppe", "Group"): list(kf["dots"]),
            de_en(lang, "Punkte", "Dots"): list(kf["dots"].values())}),
            de_en(lang, "Punktabfrage der Moderation", "The moderator's dot vote")))
    report.sections["votes"] = sec

    items = store.action_items(pilot_id)
    decided = items[items["loop_raised"] == loop] if len(items) else items
    carried = items[_carried_into(items, loop)] if len(items) else items
    kf["decisions"] = int(row["items_new"])
    kf["carried_over"] = int(row["items_carried_in"])
    sec = Section("decisions", de_en(lang, "Beschlossene Maßnahmen", "Agreed action items"),
                  empty=de_en(lang, "Keine neuen Maßnahmen.", "No new action items."))
    if len(decided):
        sec.tables.append((_items_table(decided, lang), ""))
    report.sections["decisions"] = sec
    sec = Section("carried", de_en(lang, "Offene Punkte aus früheren Schleifen",
                                    "Open items carried over from earlier loops"),
                  empty=de_en(lang, "Keine offenen Punkte.", "No open items."))
    if len(carried):
        sec.tables.append((_items_table(carried, lang), ""))
    report.sections["carried"] = sec
    report.summary = de_en(
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
        report.summary += de_en(
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


def _items_table(items: Any, lang: str) -> Any:
    import pandas as pd

    return pd.DataFrame({
        de_en(lang, "Maßnahme", "Action"): items["what"],
        de_en(lang, "verantwortlich", "owner"): items["owner"].fillna("–"),
        de_en(lang, "fällig", "due"): items["due"].map(format_date),
        de_en(lang, "Stand heute", "Status now"): items["status"].map(
            lambda s: status_label(s, lang)),
    })
