"""Schema migrations: bring a database of an older layout to :data:`SCHEMA_VERSION`.

:func:`migrate` runs inside the transaction that opens the store (``Store.__init__``),
after ``create_all`` has added the tables that are new. One step per version:

- 1 -> 2: the key figures of the closed loops that older versions kept in
  ``tk_loop_closings`` are copied into ``loop_closings``; then the old table is
  dropped (its moderator boards held copies of participants' texts that erasure on
  request could not reach).
- 2 -> 3: the tables ``pilot_costs``, ``pilot_benefits``, ``kirkpatrick_indicators``
  and ``format_plans`` (added by ``create_all``), nothing more.
- 3 -> 4: the columns ``hourly_rate`` and ``currency`` of ``pilots`` (per-pilot
  settings of the reports); existing pilots get no rate and the currency ``EUR``.

Nothing is dropped quietly: a step that cannot carry every row over raises
:class:`~transferkit.exceptions.StoreError` naming the table, the rows and why, and
how to fix them. The transaction is then rolled back, so the database stays exactly
as it was: old tables with all their rows, old schema version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import cast

from sqlalchemy import Connection, Table, column, insert, inspect, select, table, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError

from transferkit.exceptions import StoreError
from transferkit.store.checks import check_closing, check_int, text_id, utc_datetime
from transferkit.store.schema import SCHEMA_VERSION, LoopClosing, Pilot, SchemaVersion
from transferkit.store.values import JSONValue, Row

__all__ = ["LEGACY_LOOP_TABLE", "migrate"]

#: Table in which transferkit.live recorded closed loops before schema version 2.
LEGACY_LOOP_TABLE = "tk_loop_closings"
#: Its columns that the migration reads.
_LEGACY_COLUMNS = ("id", "pilot", "loop", "closed_at", "summary")
#: At most this many unreadable rows are listed in the error.
_LISTED = 20


def migrate(conn: Connection, version: int, database: str) -> None:
    """Run the steps from ``version`` up to :data:`SCHEMA_VERSION` on ``conn``.

    ``database`` names the database in error messages (password masked). Raises
    :class:`StoreError` when a step cannot carry all rows over; the caller's
    transaction must then be rolled back (``Store`` does).
    """
    if version < 2:
        _copy_legacy_loop_closings(conn, version, database)
    if version < 4:
        _add_pilot_settings(conn)
    conn.execute(update(SchemaVersion).where(SchemaVersion.id == 1).values(version=SCHEMA_VERSION))


# ---------------------------------------------------------------- 1 -> 2: tk_loop_closings


def _legacy_error(database: str, version: int, why: str, fix: str) -> StoreError:
    msg = (
        f"Cannot open the database {database}: the closed loops recorded before schema "
        f"version 2 (table {LEGACY_LOOP_TABLE}) cannot be carried over to loop_closings: "
        f"{why}\nNothing was changed: {LEGACY_LOOP_TABLE} and all its rows are still "
        f"there and the schema version is still {version}. Back up the database, then "
        f"{fix}, and open the store again."
    )
    return StoreError(msg)


def _copy_legacy_loop_closings(conn: Connection, version: int, database: str) -> int:
    """Key figures of every ``tk_loop_closings`` row into ``loop_closings``; then drop it.

    Several rows of one pilot and loop: the latest (highest id) wins, as closing a
    loop again replaces it (:meth:`Store.close_loop`); a loop already in
    ``loop_closings`` is kept. Any row that cannot be read, or names a pilot that is
    not in the store, stops the migration (:class:`StoreError`, nothing changed).
    """
    inspector = inspect(conn)
    if not inspector.has_table(LEGACY_LOOP_TABLE):
        return 0
    present = {c["name"] for c in inspector.get_columns(LEGACY_LOOP_TABLE)}
    missing = [name for name in _LEGACY_COLUMNS if name not in present]
    if missing:
        why = (
            f"it has no column {', '.join(missing)} (transferkit wrote "
            f"{', '.join(_LEGACY_COLUMNS)}), so it was not written by transferkit or was "
            "changed by hand"
        )
        fix = (
            f"rename the table if it is someone else's (ALTER TABLE {LEGACY_LOOP_TABLE} "
            f"RENAME TO ...), or add the missing columns"
        )
        raise _legacy_error(database, version, why, fix)
    legacy = table(LEGACY_LOOP_TABLE, *(column(name) for name in _LEGACY_COLUMNS))
    try:  # untyped columns: the raw values, parsed row by row below
        rows = conn.execute(select(legacy).order_by(legacy.c.id)).mappings().all()
    except DBAPIError as exc:
        why = f"reading it failed ({exc.orig})"
        fix = f"repair the table {LEGACY_LOOP_TABLE} (or the database file)"
        raise _legacy_error(database, version, why, fix) from exc

    pilots = set(conn.scalars(select(Pilot.id)))
    latest: dict[tuple[str, int], Row] = {}
    problems: list[tuple[JSONValue, str]] = []
    for row in rows:
        try:
            pilot, loop, values = _legacy_row(row)
        except (StoreError, ValueError, TypeError, AttributeError) as exc:
            problems.append((row["id"], str(exc)))
            continue
        if pilot not in pilots:
            problems.append((row["id"], f"pilot {pilot!r} is not in the store (table pilots)"))
            continue
        latest[(pilot, loop)] = values
    if problems:
        raise _legacy_error(database, version, *_problem_text(problems, len(rows)))

    closings = cast(Table, LoopClosing.__table__)
    done = {
        (r.pilot_id, r.loop) for r in conn.execute(select(closings.c.pilot_id, closings.c.loop))
    }
    copied = 0
    for (pilot, loop), values in latest.items():
        if (pilot, loop) in done:
            continue
        conn.execute(
            insert(closings).values(
                pilot_id=pilot, loop=loop, template_id="reflection_loop", **values
            )
        )
        copied += 1
    conn.exec_driver_sql(f"DROP TABLE {LEGACY_LOOP_TABLE}")
    return copied


def _legacy_row(row: RowMapping) -> tuple[str, int, Row]:
    """Pilot, loop and the ``loop_closings`` values of one legacy row, or raise why not."""
    pilot = text_id(row["pilot"], "pilot")
    loop = check_int(row["loop"], "loop")
    if loop is None:
        msg = "loop is empty"
        raise ValueError(msg)
    summary = row["summary"]
    if isinstance(summary, bytes):
        summary = summary.decode("utf-8")
    if isinstance(summary, str):
        try:
            summary = json.loads(summary)
        except ValueError as exc:
            msg = f"summary is not valid JSON ({exc})"
            raise ValueError(msg) from None
    if not isinstance(summary, Mapping):
        msg = f"summary is not a JSON object but {type(summary).__name__}"
        raise TypeError(msg)
    indicators = summary.get("indicators") or {}
    board = summary.get("board") or {}
    if not isinstance(indicators, Mapping) or not isinstance(board, Mapping):
        msg = "summary's indicators and board must be JSON objects"
        raise TypeError(msg)
    dots = [(d.get("target"), d.get("dots")) for d in board.get("dots") or []]
    values = check_closing(indicators, dots)
    closed_at = row["closed_at"]
    if not isinstance(closed_at, dt.datetime):  # text on SQLite; an empty one is refused
        closed_at = "" if closed_at is None else str(closed_at)
    values["closed_at"] = utc_datetime(closed_at, "closed_at")
    return pilot, loop, values


def _problem_text(problems: list[tuple[JSONValue, str]], total: int) -> tuple[str, str]:
    """The why and the fix of the error for unreadable legacy rows."""
    listed = "".join(f"\n  - row id {rid}: {why}" for rid, why in problems[:_LISTED])
    if len(problems) > _LISTED:
        listed += f"\n  - ... and {len(problems) - _LISTED} more"
    why = f"{len(problems)} of its {total} rows cannot be read:{listed}"
    ids = ", ".join(str(rid) for rid, _ in problems[:_LISTED])
    fix = (
        "correct these rows or delete them if they are not needed (with sqlite3 or psql: "
        f"DELETE FROM {LEGACY_LOOP_TABLE} WHERE id IN ({ids}); for a pilot that is "
        "not in the store, you may instead add it to the table pilots)"
    )
    return why, fix


# ---------------------------------------------------------------- 3 -> 4: pilot settings


def _add_pilot_settings(conn: Connection) -> None:
    """Add ``pilots.hourly_rate`` and ``pilots.currency`` (unless ``create_all`` made them)."""
    present = {c["name"] for c in inspect(conn).get_columns("pilots")}
    pilots = cast(Table, Pilot.__table__)
    for name in ("hourly_rate", "currency"):
        if name in present:
            continue
        col = pilots.c[name]
        ddl = col.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE pilots ADD COLUMN {name} {ddl}")
    conn.execute(update(pilots).where(pilots.c.currency.is_(None)).values(currency="EUR"))
