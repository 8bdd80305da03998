"""Live votes from phones: vote sessions the moderator opens, one ballot per participant.

A vote session (table ``tk_vote_sessions``) belongs to one pilot, loop and
topic (``round_table``, ``grouping``, ...): the items that may get points (key
and label), the budget of points per participant, an optional limit per item,
whether the results stay hidden until the moderator reveals them, and whether
it takes ballots. A ballot (table ``tk_vote_ballots``) is one row per session
and participant code: the whole distribution of that participant's points,
replaced as a whole on every change. So a participant can never hold more
than the budget, however many requests arrive at once, and a key that is no
item is refused before anything is written (:func:`check_ballot`, run inside the
writing transaction against the session as stored).

Like the drafts (:mod:`transferkit.store.drafts`), the tables have their own
metadata and are created by :class:`VoteStore`; erasing a participant
(:meth:`Store.erase_participant`) removes their ballots.

Examples
--------
>>> votes = VoteStore("sqlite://")
>>> key = VoteKey("P01", 2, "grouping")
>>> _ = votes.open_vote(key, [("g1", "Kanban"), ("g2", "Stand-up")], budget=3)
>>> votes.cast(key, "K7M4QX", {"g1": 2, "g2": 1})
{'g1': 2, 'g2': 1}
>>> votes.cast(key, "K7M4QX", {"g1": 4})
Traceback (most recent call last):
...
transferkit.store.votes.VoteError: 4 points given, the budget is 3
>>> [(t.key, t.points, t.voters) for t in votes.totals(key)]
[('g1', 2, 1), ('g2', 1, 1)]
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from transferkit.exceptions import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.engine import RowMapping

    from transferkit.store.store import Store

__all__ = [
    "MAX_BALLOTS",
    "MAX_BUDGET",
    "MAX_ITEMS",
    "VoteError",
    "VoteKey",
    "VoteSession",
    "VoteStore",
    "VoteTotal",
    "ballots_table",
    "check_ballot",
    "vote_sessions_table",
]

#: Most items one vote session offers.
MAX_ITEMS = 200
#: Largest budget of points per participant.
MAX_BUDGET = 100
#: Most ballots (participant codes) in one vote session: a room, not the internet.
MAX_BALLOTS = 2_000
_KEY = 64  # length of an item key
_LABEL = 500  # length of an item label
_TOPIC = 50

_meta = MetaData()

#: One row per vote: pilot, loop, topic and its rules.
vote_sessions_table = Table(
    "tk_vote_sessions",
    _meta,
    Column("vote_key", String(200), primary_key=True),
    Column("pilot", String(100), nullable=False, index=True),
    Column("loop", Integer, nullable=True),
    Column("topic", String(_TOPIC), nullable=False),
    Column("items", Text, nullable=False),  # JSON: [[key, label], ...]
    Column("budget", Integer, nullable=False),
    Column("max_per_item", Integer, nullable=True),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("revealed", Boolean, nullable=False, default=False),
    Column("accepting", Boolean, nullable=False, default=True),
    Column("updated_at", DateTime, nullable=False),
)

#: One row per vote and participant code: that participant's whole distribution of points.
ballots_table = Table(
    "tk_vote_ballots",
    _meta,
    Column("vote_key", String(200), primary_key=True),
    Column("participant", String(64), primary_key=True),
    Column("points", Text, nullable=False),  # JSON: {key: points}
    Column("updated_at", DateTime, nullable=False),
)


class VoteError(StoreError):
    """A ballot or vote session that breaks a rule; ``code`` names the rule (for the page's text).

    Codes: ``no_vote`` (no such vote), ``closed`` (takes no ballots), ``not_an_object``,
    ``unknown_item``, ``not_whole``, ``negative``, ``over_item_limit``, ``over_budget``,
    ``full`` (:data:`MAX_BALLOTS` reached), ``bad_session`` (the moderator's settings).
    """

    def __init__(self, message: str, *, code: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class VoteKey:
    """Which vote: pilot, loop (``None``: none) and topic (``round_table``, ``grouping``, ...)."""

    pilot: str
    loop: int | None
    topic: str

    def as_string(self) -> str:
        """The stable primary-key string.

        >>> VoteKey("P01", 2, "grouping").as_string()
        'P01|2|grouping'
        """
        return f"{self.pilot}|{'' if self.loop is None else self.loop}|{self.topic}"


@dataclass(frozen=True)
class VoteSession:
    """A vote as stored: items ``(key, label)``, budget, limit per item, hidden/revealed, accepting."""

    key: VoteKey
    items: tuple[tuple[str, str], ...]
    budget: int
    max_per_item: int | None = None
    hidden: bool = False
    revealed: bool = False
    accepting: bool = True

    @property
    def results_visible(self) -> bool:
        """Whether the totals may be shown (not hidden, or revealed by the moderator)."""
        return not self.hidden or self.revealed

    def labels(self) -> dict[str, str]:
        """Item key -> label."""
        return dict(self.items)


@dataclass(frozen=True)
class VoteTotal:
    """One item's result: its points and how many participants gave it any."""

    key: str
    label: str
    points: int
    voters: int


def check_ballot(session: VoteSession, points: object) -> dict[str, int]:
    """``points`` as a valid ballot of ``session`` (items with 0 points dropped), or VoteError.

    Every key must be an item of the session; points are whole numbers from 0,
    at most ``max_per_item`` each and ``budget`` in all.

    >>> s = VoteSession(VoteKey("P01", 1, "t"), (("a", "A"), ("b", "B")), budget=3, max_per_item=2)
    >>> check_ballot(s, {"a": 2, "b": 0})
    {'a': 2}
    >>> check_ballot(s, {"zz": 1})
    Traceback (most recent call last):
    ...
    transferkit.store.votes.VoteError: 'zz' is not an item of this vote
    """
    if not session.accepting:
        msg = "this vote takes no more ballots"
        raise VoteError(msg, code="closed")
    if not isinstance(points, Mapping):
        msg = f"a ballot is an object {{item: points}}, got {type(points).__name__}"
        raise VoteError(msg, code="not_an_object")
    labels = session.labels()
    out: dict[str, int] = {}
    for key, value in points.items():
        if not isinstance(key, str) or key not in labels:
            msg = f"{str(key)[:40]!r} is not an item of this vote"
            raise VoteError(msg, code="unknown_item")
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"points must be whole numbers, got {str(value)[:20]!r} for {key!r}"
            raise VoteError(msg, code="not_whole")
        if value < 0:
            msg = f"points cannot be negative ({value} for {key!r})"
            raise VoteError(msg, code="negative")
        if session.max_per_item is not None and value > session.max_per_item:
            msg = f"{value} points for one item, at most {session.max_per_item} allowed"
            raise VoteError(msg, code="over_item_limit", max=session.max_per_item)
        if value:
            out[key] = value
    total = sum(out.values())
    if total > session.budget:
        msg = f"{total} points given, the budget is {session.budget}"
        raise VoteError(msg, code="over_budget", total=total, budget=session.budget)
    return out


def _check_items(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for key, label in items:
        key, label = str(key).strip(), str(label).strip()
        if not key or len(key) > _KEY:
            msg = f"an item key has 1–{_KEY} characters, got {key[:80]!r}"
            raise VoteError(msg, code="bad_session")
        out.setdefault(key, label[:_LABEL] or key)
    if len(out) > MAX_ITEMS:
        msg = f"a vote offers at most {MAX_ITEMS} items, got {len(out)}"
        raise VoteError(msg, code="bad_session")
    return tuple(out.items())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _session_from(row: RowMapping) -> VoteSession:
    key = VoteKey(str(row["pilot"]), row["loop"], str(row["topic"]))
    items = tuple((str(k), str(v)) for k, v in json.loads(str(row["items"])))
    limit = row["max_per_item"]
    return VoteSession(
        key=key,
        items=items,
        budget=int(row["budget"]),
        max_per_item=None if limit is None else int(limit),
        hidden=bool(row["hidden"]),
        revealed=bool(row["revealed"]),
        accepting=bool(row["accepting"]),
    )


class VoteStore:
    """Vote sessions and ballots in tables ``tk_vote_sessions`` / ``tk_vote_ballots``."""

    #: Most ballots per vote session (see :data:`MAX_BALLOTS`).
    max_ballots = MAX_BALLOTS

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        try:
            if engine is None:
                if url is None:
                    from transferkit.store.drafts import default_store_url

                    url = default_store_url()
                if url in ("sqlite://", "sqlite:///:memory:"):
                    engine = create_engine(
                        url, connect_args={"check_same_thread": False}, poolclass=StaticPool
                    )
                else:
                    engine = create_engine(url, pool_pre_ping=True)
            self.engine = engine
            _meta.create_all(self.engine, checkfirst=True)
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).splitlines()[0]
            msg = f"cannot open the vote tables ({reason}). Check the store URL."
            raise StoreError(msg) from error

    @classmethod
    def for_store(cls, store: Store) -> VoteStore:
        """Votes in the same database as ``store`` (on its engine)."""
        return cls(engine=store.engine)

    # ------------------------------------------------------------ the moderator's side
    def open_vote(
        self,
        key: VoteKey,
        items: Iterable[tuple[str, str]],
        budget: int,
        *,
        max_per_item: int | None = None,
        hidden: bool = False,
    ) -> VoteSession:
        """Open a vote (or update its items and rules); ballots cast so far stay.

        ``revealed`` is kept as it was; a vote closed before takes ballots again.
        """
        if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
            msg = f"the budget is a whole number from 1 to {MAX_BUDGET}, got {budget!r}"
            raise VoteError(msg, code="bad_session")
        if max_per_item is not None and (
            isinstance(max_per_item, bool) or not isinstance(max_per_item, int) or max_per_item < 1
        ):
            msg = f"max_per_item is a whole number from 1, got {max_per_item!r}"
            raise VoteError(msg, code="bad_session")
        if not key.topic or len(key.topic) > _TOPIC or not key.pilot:
            msg = f"a vote needs a pilot and a topic of 1–{_TOPIC} characters"
            raise VoteError(msg, code="bad_session")
        checked = _check_items(items)
        values = {
            "items": json.dumps(checked, ensure_ascii=False),
            "budget": budget,
            "max_per_item": max_per_item,
            "hidden": bool(hidden),
            "accepting": True,
            "updated_at": _now(),
        }
        t = vote_sessions_table
        with self.engine.begin() as conn:
            done = conn.execute(
                t.update().where(t.c.vote_key == key.as_string()).values(**values)
            ).rowcount
            if not done:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            t.insert().values(
                                vote_key=key.as_string(),
                                pilot=key.pilot,
                                loop=key.loop,
                                topic=key.topic,
                                revealed=False,
                                **values,
                            )
                        )
                except IntegrityError:  # opened at the same moment elsewhere
                    conn.execute(t.update().where(t.c.vote_key == key.as_string()).values(**values))
        session = self.session(key)
        if session is None:  # pragma: no cover - deleted concurrently
            msg = f"vote {key.as_string()!r} vanished while opening it"
            raise StoreError(msg)
        return session

    def _set(self, key: VoteKey, **values: object) -> None:
        t = vote_sessions_table
        with self.engine.begin() as conn:
            done = conn.execute(
                t.update()
                .where(t.c.vote_key == key.as_string())
                .values(updated_at=_now(), **values)
            ).rowcount
        if not done:
            msg = f"there is no vote {key.as_string()!r}; open it first"
            raise VoteError(msg, code="no_vote")

    def reveal(self, key: VoteKey, revealed: bool = True) -> None:
        """Show (or hide again) the results of a vote whose results are hidden."""
        self._set(key, revealed=bool(revealed))

    def stop(self, key: VoteKey) -> None:
        """Take no more ballots (the ones cast stay and count)."""
        self._set(key, accepting=False)

    def session(self, key: VoteKey) -> VoteSession | None:
        """The vote as stored, or ``None``."""
        t = vote_sessions_table
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.vote_key == key.as_string())).mappings().first()
        return None if row is None else _session_from(row)

    # ------------------------------------------------------------ the participant's side
    def cast(self, key: VoteKey, participant: str, points: object) -> dict[str, int]:
        """Replace ``participant``'s ballot by ``points`` (checked by :func:`check_ballot`
        against the vote as stored, in the same transaction); return the ballot stored."""
        code = str(participant or "").strip()
        if not code or len(code) > 64:
            msg = "a ballot needs a participant code of 1–64 characters"
            raise VoteError(msg, code="no_code")
        s, b = vote_sessions_table, ballots_table
        with self.engine.begin() as conn:
            row = (
                conn.execute(select(s).where(s.c.vote_key == key.as_string()).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                msg = f"there is no vote {key.as_string()!r}"
                raise VoteError(msg, code="no_vote")
            ballot = check_ballot(_session_from(row), points)
            text = json.dumps(ballot, ensure_ascii=False)
            mine = (b.c.vote_key == key.as_string()) & (b.c.participant == code)
            done = conn.execute(b.update().where(mine).values(points=text, updated_at=_now()))
            if not done.rowcount:
                self._check_room(conn, key)
                try:
                    with conn.begin_nested():
                        conn.execute(
                            b.insert().values(
                                vote_key=key.as_string(),
                                participant=code,
                                points=text,
                                updated_at=_now(),
                            )
                        )
                except IntegrityError:  # the same code at the same moment: last one wins
                    conn.execute(b.update().where(mine).values(points=text, updated_at=_now()))
        return ballot

    def _check_room(self, conn: Connection, key: VoteKey) -> None:
        b = ballots_table
        n = conn.execute(
            select(func.count()).select_from(b).where(b.c.vote_key == key.as_string())
        ).scalar_one()
        if n >= self.max_ballots:
            msg = f"this vote has {n} ballots already (limit {self.max_ballots})"
            raise VoteError(msg, code="full")

    def ballot(self, key: VoteKey, participant: str) -> dict[str, int]:
        """``participant``'s points so far (empty: none)."""
        b = ballots_table
        mine = (b.c.vote_key == key.as_string()) & (b.c.participant == str(participant))
        with self.engine.connect() as conn:
            text = conn.execute(select(b.c.points).where(mine)).scalar_one_or_none()
        return {} if text is None else {str(k): int(v) for k, v in json.loads(text).items()}

    # ------------------------------------------------------------ results
    def _ballots(self, key: VoteKey) -> list[dict[str, int]]:
        b = ballots_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(b.c.points).where(b.c.vote_key == key.as_string()))
            return [json.loads(r[0]) for r in rows]

    def totals(self, key: VoteKey) -> list[VoteTotal]:
        """Points and voters per item of the vote (every item, in the vote's order).

        Only the items the vote offers now count (a ballot's points on an item
        the moderator removed later are left out). Empty if there is no such vote.
        """
        session = self.session(key)
        if session is None:
            return []
        points = dict.fromkeys(session.labels(), 0)
        voters = dict.fromkeys(session.labels(), 0)
        for ballot in self._ballots(key):
            for item, n in ballot.items():
                if item in points and int(n) > 0:
                    points[item] += int(n)
                    voters[item] += 1
        return [VoteTotal(k, label, points[k], voters[k]) for k, label in session.items]

    def turnout(self, key: VoteKey) -> int:
        """How many participants have at least one point on an item of the vote."""
        session = self.session(key)
        if session is None:
            return 0
        labels = session.labels()
        return sum(
            1 for ballot in self._ballots(key) if any(k in labels and v for k, v in ballot.items())
        )

    def erase_participant(self, code: str) -> int:
        """Remove every ballot of ``code``; return how many."""
        b = ballots_table
        with self.engine.begin() as conn:
            return int(conn.execute(b.delete().where(b.c.participant == code)).rowcount)
