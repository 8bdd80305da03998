"""Reflection loops: the action items agreed in a loop, and closed loops with their key figures."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from transferkit.exceptions import StoreError
from transferkit.store.base import StoreBase, table_frame
from transferkit.store.checks import (
    check_closing,
    check_date,
    check_int,
    optional_text,
    text_id,
    utc_datetime,
)
from transferkit.store.closing_versions import archive_closing, earlier_versions, versions_before
from transferkit.store.schema import ACTION_STATUSES, LOOP_COUNTS, ActionItem, LoopClosing
from transferkit.store.values import JSONValue

__all__ = ["LoopsMixin"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd


class LoopsMixin(StoreBase):
    """Action items and closed loops (part of :class:`~transferkit.store.store.Store`)."""

    # ------------------------------------------------------------ action items

    def add_action_item(
        self,
        pilot: str,
        loop_raised: int | None,
        what: str,
        owner: str | None = None,
        due: dt.date | str | None = None,
        status: str = "open",
        *,
        loop_closed: int | None = None,
        item_id: int | None = None,
    ) -> int:
        """Record an action item agreed in loop ``loop_raised``; return its id.

        ``owner`` is free text (a role or a participant code). With
        ``item_id`` an existing item is updated (for importers).
        """
        pilot = text_id(pilot, "pilot id")
        if status not in ACTION_STATUSES:
            msg = f"status must be one of {', '.join(ACTION_STATUSES)}, got {status!r}"
            raise StoreError(msg)
        fields = {
            "pilot_id": pilot,
            "loop_raised": check_int(loop_raised, "loop_raised"),
            "what": text_id(what, "what (the action)", 10_000),
            "owner": optional_text(owner, "owner", 200),
            "due": check_date(due, "due"),
            "status": status,
            "loop_closed": check_int(loop_closed, "loop_closed"),
        }
        wanted_id = check_int(item_id, "item_id", minimum=1)

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            row = session.get(ActionItem, wanted_id) if wanted_id is not None else None
            if row is None:
                row = ActionItem(**fields) if wanted_id is None else ActionItem(id=wanted_id)
                session.add(row)
            for key, value in fields.items():
                setattr(row, key, value)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def update_action_item(self, item_id: int, status: str, loop_closed: int | None = None) -> None:
        """Set the status of an action item (and the loop in which it was closed)."""
        if status not in ACTION_STATUSES:
            msg = f"status must be one of {', '.join(ACTION_STATUSES)}, got {status!r}"
            raise StoreError(msg)
        closed = check_int(loop_closed, "loop_closed")

        def work(session: Session) -> None:
            row = session.get(ActionItem, item_id)
            if row is None:
                msg = f"No action item with id {item_id!r}; see store.action_items()"
                raise StoreError(msg)
            row.status = status
            if closed is not None:
                row.loop_closed = closed

        self._run(work, write=True)

    def action_items(self, pilot: str | None = None) -> pd.DataFrame:
        """Action items (all, or of one pilot), oldest first."""
        stmt = select(
            ActionItem.id.label("item_id"),
            ActionItem.pilot_id,
            ActionItem.loop_raised,
            ActionItem.what,
            ActionItem.owner,
            ActionItem.due,
            ActionItem.status,
            ActionItem.loop_closed,
        ).order_by(ActionItem.id)
        if pilot is not None:
            stmt = stmt.where(ActionItem.pilot_id == pilot)
        columns = {
            "item_id": "int64",
            "pilot_id": "str",
            "loop_raised": "Int64",
            "what": "str",
            "owner": "str",
            "due": "datetime64[s]",
            "status": "str",
            "loop_closed": "Int64",
        }
        return table_frame(columns, self._select_rows(stmt))

    # ------------------------------------------------------------ closed loops

    def close_loop(
        self,
        pilot: str,
        loop: int,
        indicators: Mapping[str, JSONValue],
        *,
        dots: Iterable[JSONValue] = (),
        template: str = "reflection_loop",
        closed_at: dt.datetime | str | None = None,
    ) -> int:
        """Record that loop ``loop`` of ``pilot`` was closed, with its key figures; return the id.

        ``indicators`` is one row of
        :func:`transferkit.evaluation.loops.loop_indicators`: the counts
        :data:`~transferkit.store.schema.LOOP_COUNTS` (missing ones are 0) and
        ``<rating>_n`` / ``<rating>_mean`` per rating; ``pilot`` and ``loop``
        keys are ignored. ``dots`` is the moderator's dot vote on groups of
        inputs, as ``(group, dots)`` pairs or ``{"group", "dots"}`` dicts.
        Nothing about participants is stored (no codes, no texts). Closing a
        loop again replaces its row (same id) and keeps the row it replaces as
        an earlier version (:meth:`loop_closing_versions`; nothing is lost).

        >>> from transferkit.store import Store

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden")
        ...     _ = store.close_loop("P01", 1, {"participants": 5, "loop_satisfaction_n": 5,
        ...                                     "loop_satisfaction_mean": 3.8})
        ...     store.loop_closings()[["loop", "participants", "loop_satisfaction_mean"]]
           loop  participants  loop_satisfaction_mean
        0     1             5                     3.8
        """
        pilot = text_id(pilot, "pilot id")
        number = check_int(loop, "loop")
        if number is None:
            msg = "loop must be a whole number >= 0, got None"
            raise StoreError(msg)
        if not isinstance(indicators, Mapping):
            msg = f"indicators must be a mapping (name -> value), got {type(indicators).__name__}"
            raise StoreError(msg)
        fields = check_closing(indicators, dots)
        fields["template_id"] = text_id(template, "template id")
        fields["closed_at"] = utc_datetime(closed_at, "closed_at")

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            same = LoopClosing.pilot_id == pilot, LoopClosing.loop == number
            # locked: two closings of one loop at once make two versions, one after the other
            row = session.scalars(select(LoopClosing).where(*same).with_for_update()).first()
            if row is not None:  # closed before: keep that version
                archive_closing(session.connection(), row)
            row = row or LoopClosing(pilot_id=pilot, loop=number)
            for key, value in fields.items():
                setattr(row, key, value)
            session.add(row)  # nothing to do when the loop was closed before
            session.flush()
            return row.id

        return self._run(work, write=True)

    def loop_closings(self, pilot: str | None = None) -> pd.DataFrame:
        """Closed loops (all, or of one pilot) by pilot and loop, with their key figures.

        Columns: ``closing_id, pilot_id, loop, template, closed_at`` (UTC),
        ``participants, responses``, ``<rating>_n`` and ``<rating>_mean`` for
        each rating stored, the item counts ``items_carried_in .. items_open``
        and ``dots`` (a list of ``{"group", "dots"}`` per row).
        """
        import pandas as pd

        stmt = select(
            LoopClosing.id.label("closing_id"),
            LoopClosing.pilot_id,
            LoopClosing.loop,
            LoopClosing.template_id.label("template"),
            LoopClosing.closed_at,
            *(getattr(LoopClosing, name) for name in LOOP_COUNTS),
            LoopClosing.ratings,
            LoopClosing.dots,
        ).order_by(LoopClosing.pilot_id, LoopClosing.loop)
        if pilot is not None:
            stmt = stmt.where(LoopClosing.pilot_id == pilot)
        rows = self._select_rows(stmt)
        frame = table_frame(
            {
                "closing_id": "int64",
                "pilot_id": "str",
                "loop": "int64",
                "template": "str",
                "closed_at": "datetime64[us, UTC]",
                "participants": "int64",
                "responses": "int64",
            },
            rows,
        )
        names = list(dict.fromkeys(name for r in rows for name in (r["ratings"] or {})))
        for name in names:
            given = [(r["ratings"] or {}).get(name) or {} for r in rows]
            frame[f"{name}_n"] = pd.Series([int(g.get("n") or 0) for g in given], dtype="int64")
            frame[f"{name}_mean"] = pd.Series(
                [math.nan if g.get("mean") is None else float(g["mean"]) for g in given],
                dtype="float64",
            )
        for name in LOOP_COUNTS[2:]:
            frame[name] = pd.Series([r[name] for r in rows], dtype="int64")
        frame["dots"] = pd.Series([list(r["dots"] or []) for r in rows], dtype=object)
        return frame

    def loop_version(self, pilot: str, loop: int) -> int:
        """The version of the closing of ``pilot``'s loop ``loop`` now stored (0: not closed).

        1 after the first closing; each closing again adds one (the earlier ones
        are kept, :meth:`loop_closing_versions`).
        """
        pilot = text_id(pilot, "pilot id")
        number = check_int(loop, "loop")

        def work(session: Session) -> int:
            same = LoopClosing.pilot_id == pilot, LoopClosing.loop == number
            if session.scalars(select(LoopClosing.id).where(*same)).first() is None:
                return 0
            return versions_before(session.connection(), pilot, int(number or 0)) + 1

        return self._run(work, write=False)

    def loop_closing_versions(self, pilot: str | None = None) -> list[dict[str, JSONValue]]:
        """Earlier versions of closed loops, kept when a loop was closed again (oldest first).

        Each: ``pilot_id, loop, version, template, closed_at`` (ISO, UTC) and the key
        figures as they were (``participants`` ... ``items_open``, ``ratings``, ``dots``).
        The newest version of each loop is in :meth:`loop_closings`.
        """
        return self._run(lambda session: earlier_versions(session.connection(), pilot), write=False)
