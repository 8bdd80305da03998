"""Import the demo network into a store: :func:`import_demo`."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from transferkit.datasets.loader import load_demo

if TYPE_CHECKING:
    from transferkit.store import Store

__all__ = ["import_demo"]


def _none(value: Any) -> Any:
    """Missing values (NaN, NaT, pd.NA) as ``None``; numpy scalars as Python numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _int(value: Any) -> int | None:
    value = _none(value)
    return None if value is None else int(value)


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in df.to_dict(orient="records")]


def _date(value: Any) -> dt.date | None:
    value = _none(value)
    return value.date() if isinstance(value, dt.datetime) else value


def import_demo(store: Store) -> dict[str, int]:
    """Load the demo network into ``store``; return the number of rows of each kind.

    Adds the network, companies (with roles), pilots, participants, every raw
    response (validated by ``store.submit`` against its template, with its
    fixed ``submission_id``) and the action items with their final status.
    Importing again changes nothing: networks, companies, pilots and
    participants are upserted, responses are skipped by submission id and
    action items are matched by pilot, loop and text.

    >>> from transferkit.store import Store
    >>> with Store("sqlite://") as store:
    ...     counts = import_demo(store)
    ...     store.info()["counts"]["responses"] == counts["responses"]
    True
    >>> counts["companies"], counts["pilots"], counts["participants"]
    (12, 6, 60)
    """
    from transferkit.templates import load_template

    demo = load_demo()
    net = demo.network.iloc[0]
    network = str(net["network_id"])
    with store.bulk():
        store.add_network(network, str(net["name"]), str(net["region"]))
        for c in _rows(demo.companies):
            store.add_company(
                str(c["company_id"]),
                str(c["name"]),
                size_class=str(c["size_class"]),
                employees=int(c["employees"]),
                sector=str(c["sector"]),
                region=str(c["region"]),
                network=network,
                roles=str(c["roles"]),
            )
        for p in _rows(demo.pilots):
            store.add_pilot(
                str(p["pilot_id"]),
                str(p["title_de"]),
                str(p["title_en"]),
                network=network,
                topic=str(p["topic"]),
                companies=str(p["companies"]),
                start=_date(p["start"]),
                end=_date(p["end"]),
                loops=int(p["loops"]),
            )
        for row in _rows(demo.participants):
            store.add_participant(
                str(row["participant"]), company=str(row["company_id"]), pilot=str(row["pilot_id"])
            )
        templates = {name: load_template(name) for name in {r["template"] for r in demo.responses}}
        for record in demo.responses:
            store.submit(
                templates[record["template"]],
                record["answers"],
                pilot=record["pilot"],
                loop=record["loop"],
                phase=record["phase"],
                participant=record["participant"],
                submission_id=record["submission_id"],
                submitted_at=record["submitted_at"],
            )
        existing = store.action_items()
        known = {
            (str(r["pilot_id"]), _int(r["loop_raised"]), str(r["what"])): int(r["item_id"])
            for r in _rows(existing)
        }
        for item in _rows(demo.action_items):
            key = (str(item["pilot_id"]), int(item["loop_raised"]), str(item["what"]))
            store.add_action_item(
                key[0],
                key[1],
                key[2],
                owner=str(item["owner"]),
                due=_date(item["due"]),
                status=str(item["status"]),
                loop_closed=_int(item["loop_closed"]),
                item_id=known.get(key),
            )
    return {
        "networks": len(demo.network),
        "companies": len(demo.companies),
        "pilots": len(demo.pilots),
        "participants": len(demo.participants),
        "responses": len(demo.responses),
        "action_items": len(demo.action_items),
    }
