"""One-line summaries of pilot projects in a store (used by ``transferkit demo``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from transferkit.i18n import text

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.values import Row

__all__ = ["pilot_overview", "pilot_summary_lines"]


def pilot_overview(store: Store) -> pd.DataFrame:
    """Per pilot: companies, participants, responses, loops with data, open action items.

    Parameters
    ----------
    store : transferkit.store.Store
        The store to read.

    Returns
    -------
    pandas.DataFrame
        One row per pilot: ``pilot_id, title_de, title_en, companies, participants,
        responses, loops_with_data, planned_loops, actions_open, actions_total``.
    """
    pilots = store.pilots()
    responses = store.responses()
    actions = store.action_items()
    rows = []
    for pilot in pilots.itertuples(index=False):
        mine = responses[responses["pilot"] == pilot.pilot_id]
        its_actions = actions[actions["pilot_id"] == pilot.pilot_id]
        companies = [c for c in str(pilot.companies or "").split(";") if c]
        rows.append(
            {
                "pilot_id": pilot.pilot_id,
                "title_de": pilot.title_de,
                "title_en": pilot.title_en,
                "companies": len(companies),
                "participants": int(mine["participant"].nunique()),
                "responses": len(mine),
                "loops_with_data": int(mine["loop"].dropna().nunique()),
                "planned_loops": pilot.loops,
                "actions_open": int((its_actions["status"] == "open").sum()),
                "actions_total": len(its_actions),
            }
        )
    return pd.DataFrame(rows)


def pilot_summary_lines(store: Store, lang: str = "de") -> list[str]:
    """One readable line per pilot project, German (default) or English."""
    overview = pilot_overview(store)
    title = "title_en" if lang == "en" else "title_de"
    records: list[Row] = [
        {str(key): value for key, value in row.items()} for row in overview.to_dict("records")
    ]
    return [
        text("report.pilot_summary_line", lang, **{**row, "title": row[title]}) for row in records
    ]
