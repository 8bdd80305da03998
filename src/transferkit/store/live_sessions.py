"""What a live session shows the room: one row per moderator screen, shared by its two views.

The moderator's Voilà kernel writes it (current phase, slide, timer, whether vote
results are revealed); the projector page of ``transferkit serve`` reads it
(:mod:`transferkit.live.projector`). Both are separate processes, so the state
lives in the store, in its own table ``tk_live_sessions`` (own metadata, created
on first use like ``tk_sheet_drafts``; no participant data, so nothing to erase).

A session is one screen: template, pilot and loop. It has two names:

- ``room``: a short public room code (6 characters of an alphabet without
  look-alikes, ~10⁹ codes). It is meant to be on the wall: the join address
  ``host/j/<room>`` and the projector's address contain it. It opens nothing
  secret: ``/j/<room>`` forwards to the participants' sheet, which the room
  may fill in anyway.
- ``view_key``: a read-only secret (22 characters) for the projector page. It is
  never shown on the projector: the moderator's screen links the projector with
  it once, the server turns it into a cookie and forwards to a clean address.

Examples
--------
>>> sessions = LiveSessions("sqlite://")
>>> s = sessions.open("round_table", pilot="P01", loop=1)
>>> len(s.room), s.state["slide"]
(6, 'join')
>>> sessions.open("round_table", pilot="P01", loop=1).room == s.room  # the same screen
True
>>> sessions.update(s.room, slide="results").state["slide"]
'results'
>>> sessions.by_room(s.room.lower()).version
2
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from transferkit.exceptions import ParameterError, StoreError
from transferkit.store.drafts import DraftStore

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from transferkit.store.store import Store
    from transferkit.store.values import JSONValue

__all__ = [
    "ROOM_ALPHABET",
    "SLIDES",
    "LiveSession",
    "LiveSessions",
    "live_sessions_table",
    "normalise_room",
]

#: Characters of a room code: capitals and digits without 0/O, 1/I/L (read from a wall).
ROOM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_ROOM_LENGTH = 6
#: What the projector shows, in the order a session goes through them.
SLIDES = ("join", "question", "inputs", "results")

#: One row per moderator screen (template, pilot, loop).
live_sessions_table = Table(
    "tk_live_sessions",
    MetaData(),
    Column("room", String(12), primary_key=True),
    Column("screen", String(400), nullable=False, unique=True),
    Column("template", String(100), nullable=False),
    Column("pilot", String(100), nullable=True),
    Column("loop", Integer, nullable=True),
    Column("view_key", String(64), nullable=False),
    Column("state", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

#: Keys of a session's state and their defaults.
_DEFAULT_STATE: dict[str, JSONValue] = {
    "slide": "join",  # one of SLIDES
    "phase": None,  # a loop phase, or the round table's step ("ideas" / "votes")
    "timer_end": None,  # UNIX time the countdown ends, or None
    "timer_total": None,  # seconds the countdown started with
    "reveal": True,  # vote results shown (False: turnout only)
    "lang": "de",
}


def normalise_room(room: str) -> str:
    """A room code as stored (upper case, spaces and dashes dropped); :class:`ParameterError` if it cannot be one.

    >>> normalise_room(" k7m-4qx ")
    'K7M4QX'
    """
    code = "".join(str(room).split()).replace("-", "").upper()
    if len(code) != _ROOM_LENGTH or any(c not in ROOM_ALPHABET for c in code):
        msg = f"not a room code: {room[:20]!r} (six letters and digits, e.g. K7M4QX)"
        raise ParameterError(msg)
    return code


@dataclass
class LiveSession:
    """One session: its names, which screen it belongs to, and what the room sees."""

    room: str
    view_key: str
    template: str
    pilot: str | None
    loop: int | None
    state: dict[str, JSONValue] = field(default_factory=dict)
    version: int = 1
    updated_at: datetime | None = None


def _screen_key(template: str, pilot: str | None, loop: int | None) -> str:
    return "|".join([template, pilot or "", "" if loop is None else str(loop)])


class LiveSessions:
    """Read and write live sessions in table ``tk_live_sessions`` (same database as the store)."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        drafts = DraftStore(url, engine=engine)  # same engine set-up (WAL, busy timeout)
        self.engine = drafts.engine
        try:
            live_sessions_table.create(self.engine, checkfirst=True)
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).splitlines()[0]
            msg = f"cannot open the live session table ({reason}); check the store URL"
            raise StoreError(msg) from error

    @classmethod
    def for_store(cls, store: Store) -> LiveSessions:
        """Sessions in the same database as ``store`` (its engine)."""
        return cls(engine=DraftStore.for_store(store).engine)

    def open(self, template: str, *, pilot: str | None, loop: int | None) -> LiveSession:
        """The session of this screen, created (new room code and view key) on first use."""
        screen = _screen_key(template, pilot, loop)
        found = self._load(live_sessions_table.c.screen == screen)
        if found is not None:
            return found
        now = datetime.now(UTC).replace(tzinfo=None)
        for _attempt in range(20):  # a room code taken already: draw again
            room = "".join(secrets.choice(ROOM_ALPHABET) for _ in range(_ROOM_LENGTH))
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        live_sessions_table.insert().values(
                            room=room,
                            screen=screen,
                            template=template,
                            pilot=pilot,
                            loop=loop,
                            view_key=secrets.token_urlsafe(16),
                            state=json.dumps(_DEFAULT_STATE),
                            version=1,
                            updated_at=now,
                        )
                    )
            except IntegrityError:
                found = self._load(live_sessions_table.c.screen == screen)
                if found is not None:  # opened by another kernel at the same moment
                    return found
                continue
            made = self._load(live_sessions_table.c.room == room)
            if made is not None:
                return made
        msg = "no free room code found; try again"  # pragma: no cover - 10⁹ codes
        raise StoreError(msg)

    def by_room(self, room: str) -> LiveSession | None:
        """The session with room code ``room`` (any case), or ``None`` (also for a malformed code)."""
        try:
            code = normalise_room(room)
        except ParameterError:
            return None
        return self._load(live_sessions_table.c.room == code)

    def update(self, room: str, **changes: JSONValue) -> LiveSession:
        """Merge ``changes`` into the session's state (keys of the default state only); version + 1."""
        unknown = sorted(set(changes) - set(_DEFAULT_STATE))
        if unknown:
            msg = f"unknown live session state {', '.join(unknown)}; known: {', '.join(_DEFAULT_STATE)}"
            raise ParameterError(msg)
        slide = changes.get("slide")
        if slide is not None and slide not in SLIDES:
            msg = f"unknown slide {slide!r}; one of {', '.join(SLIDES)}"
            raise ParameterError(msg)
        code = normalise_room(room)
        t = live_sessions_table.c
        with self.engine.begin() as conn:
            row = conn.execute(select(t.state, t.version).where(t.room == code)).first()
            if row is None:
                msg = f"no live session {code!r}"
                raise StoreError(msg)
            state = {**_DEFAULT_STATE, **json.loads(row.state), **changes}
            conn.execute(
                live_sessions_table.update()
                .where(t.room == code)
                .values(
                    state=json.dumps(state),
                    version=t.version + 1,
                    updated_at=datetime.now(UTC).replace(tzinfo=None),
                )
            )
        updated = self._load(t.room == code)
        if updated is None:  # pragma: no cover - deleted concurrently
            msg = f"live session {code!r} vanished while updating"
            raise StoreError(msg)
        return updated

    def _load(self, where: ColumnElement[bool]) -> LiveSession | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(live_sessions_table).where(where)).first()
        if row is None:
            return None
        return LiveSession(
            room=row.room,
            view_key=row.view_key,
            template=row.template,
            pilot=row.pilot,
            loop=row.loop,
            state={**_DEFAULT_STATE, **json.loads(row.state)},
            version=int(row.version),
            updated_at=row.updated_at,
        )
