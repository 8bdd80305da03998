"""Earlier versions of closed loops: closing a loop again keeps what it replaced.

When a loop that was closed before is closed again (:meth:`Store.close_loop`), the
row it replaces in ``loop_closings`` is copied here first, with its version number
(1, 2, ...); ``loop_closings`` always holds the newest version. Aggregates only, like
``loop_closings`` (no participant codes, no answer texts).

The table has its own metadata and is created on first use (like the drafts), so
databases of the current schema version need no migration.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from transferkit.store.schema import LoopClosing
    from transferkit.store.values import JSONValue

__all__ = ["archive_closing", "closing_versions_table", "earlier_versions", "versions_before"]

#: One row per replaced version of a closed loop.
closing_versions_table = Table(
    "tk_loop_closing_versions",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pilot_id", String(100), nullable=False, index=True),
    Column("loop", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("template_id", String(100), nullable=False),
    Column("closed_at", DateTime, nullable=False),  # naive UTC, as loop_closings
    Column("replaced_at", DateTime, nullable=False),
    Column("figures", JSON, nullable=False),  # the replaced row's columns
)

_FIGURES = (
    "participants",
    "responses",
    "items_carried_in",
    "items_new",
    "items_done",
    "items_dropped",
    "items_open",
    "ratings",
    "dots",
)


def _exists(conn: Connection) -> bool:
    return bool(inspect(conn).has_table(closing_versions_table.name))


def versions_before(conn: Connection, pilot: str, loop: int) -> int:
    """How many earlier versions of ``pilot``'s loop ``loop`` are kept."""
    if not _exists(conn):
        return 0
    t = closing_versions_table.c
    query = select(func.count()).where(t.pilot_id == pilot, t.loop == loop)
    return int(conn.execute(query).scalar_one())


def archive_closing(conn: Connection, row: LoopClosing) -> int:
    """Keep ``row`` (about to be replaced) as a version; return the new row's version number."""
    if not _exists(conn):
        try:  # another process may create it at the same moment: then use theirs
            with conn.begin_nested():
                closing_versions_table.create(conn, checkfirst=True)
        except (IntegrityError, ProgrammingError, OperationalError):
            if not _exists(conn):
                raise
    number = versions_before(conn, row.pilot_id, row.loop) + 1
    closed = row.closed_at
    if closed.tzinfo is not None:
        closed = closed.astimezone(dt.UTC).replace(tzinfo=None)
    figures: dict[str, JSONValue] = {name: getattr(row, name) for name in _FIGURES}
    conn.execute(
        closing_versions_table.insert().values(
            pilot_id=row.pilot_id,
            loop=row.loop,
            version=number,
            template_id=row.template_id,
            closed_at=closed,
            replaced_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            figures=figures,
        )
    )
    return number + 1


def earlier_versions(conn: Connection, pilot: str | None = None) -> list[dict[str, JSONValue]]:
    """The kept versions (oldest first): pilot, loop, version, template, closed_at (UTC), figures."""
    if not _exists(conn):
        return []
    t = closing_versions_table.c
    query = select(closing_versions_table).order_by(t.pilot_id, t.loop, t.version)
    if pilot is not None:
        query = query.where(t.pilot_id == pilot)
    out: list[dict[str, JSONValue]] = []
    for r in conn.execute(query).mappings():
        out.append(
            {
                "pilot_id": r["pilot_id"],
                "loop": r["loop"],
                "version": r["version"],
                "template": r["template_id"],
                "closed_at": r["closed_at"].replace(tzinfo=dt.UTC).isoformat(),
                **dict(r["figures"] or {}),
            }
        )
    return out
