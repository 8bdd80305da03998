"""Drafts of half-filled workshop sheets, so a sheet survives a page reload.

The table (``tk_sheet_drafts``) is defined here, in the store, because erasing a
participant (:meth:`Store.erase_participant`) removes their drafts too. It has its own
metadata: the draft store creates it (the store's ``create_all`` does not).

A draft belongs to one participant code and one sheet (template, pilot, loop,
phase). It holds the answers given so far (JSON), the client-side
``submission_id`` used for the final submit (so a reload after submitting
never stores a second response) and, once submitted, the response id.

Drafts live in their own table ``tk_sheet_drafts`` in the same database as
the response store (any SQLAlchemy URL; SQLite in WAL mode by default).

Examples
--------
>>> drafts = DraftStore("sqlite://")
>>> key = DraftKey("needs_analysis", pilot="P01", loop=1, phase=None, participant="K7M4QX")
>>> drafts.load(key) is None
True
>>> d = drafts.save(key, {"imp_ai_use": 4})
>>> drafts.load(key).answers
{'imp_ai_use': 4}
>>> drafts.mark_submitted(key, 17)
>>> drafts.load(key).response_id
17
"""

from __future__ import annotations

import json
import os
import uuid
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
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from transferkit.exceptions import QuotaError, StoreError
from transferkit.store.values import Answers

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

    from transferkit.store.store import Store

__all__ = ["Draft", "DraftKey", "DraftStore", "default_store_url", "drafts_table"]

#: One half-filled sheet per participant and sheet (template, pilot, loop, phase).
drafts_table = Table(
    "tk_sheet_drafts",
    MetaData(),
    Column("draft_key", String(400), primary_key=True),
    Column("template", String(100), nullable=False, index=True),
    Column("pilot", String(100), nullable=True),
    Column("loop", Integer, nullable=True),
    Column("phase", String(100), nullable=True),
    Column("participant", String(100), nullable=False),
    Column("answers", Text, nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("response_id", Integer, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)


def default_store_url() -> str:
    """The store URL used when none is given: ``$TRANSFERKIT_DB`` or ``data/transferkit.db``."""
    env = os.environ.get("TRANSFERKIT_DB")
    if env:
        return env
    from pathlib import Path

    return f"sqlite:///{Path.cwd() / 'data' / 'transferkit.db'}"


@dataclass(frozen=True)
class DraftKey:
    """Which sheet a draft belongs to."""

    template: str
    pilot: str | None
    loop: int | None
    phase: str | None
    participant: str

    def as_string(self) -> str:
        """A stable primary-key string."""
        parts = [self.template, self.pilot or "", "" if self.loop is None else str(self.loop)]
        parts += [self.phase or "", self.participant]
        return "|".join(parts)


@dataclass
class Draft:
    """A saved draft: answers so far, the submission id and, once submitted, the response id."""

    key: DraftKey
    answers: Answers = field(default_factory=dict)
    submission_id: str = ""
    response_id: int | None = None
    updated_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        """Whether the sheet has been submitted."""
        return self.response_id is not None


def _make_engine(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:"):
        return create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(
            dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry
        ) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class DraftStore:
    """Read and write sheet drafts in table ``tk_sheet_drafts``."""

    #: Most sheets (drafts) one participant code may have, and drafts in all.
    max_per_participant = 40
    max_total = 5_000

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = url or default_store_url()
        try:
            if url and url.startswith("sqlite:///"):
                from pathlib import Path

                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = engine if engine is not None else _make_engine(self.url)
            drafts_table.create(self.engine, checkfirst=True)
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).splitlines()[0]
            msg = (
                f"cannot open the draft table ({reason}). Check the store URL and that the "
                "database is not read-only."
            )
            raise StoreError(msg) from error

    @classmethod
    def for_store(cls, store: Store) -> DraftStore:
        """Drafts in the same database as ``store`` (uses its engine when it has one)."""
        engine = getattr(store, "engine", None)
        if isinstance(engine, Engine):
            return cls(str(engine.url), engine=engine)
        url = getattr(store, "url", None)
        return cls(str(url) if url is not None else None)

    def load(self, key: DraftKey) -> Draft | None:
        """The draft for ``key``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(drafts_table).where(drafts_table.c.draft_key == key.as_string())
            ).first()
        if row is None:
            return None
        return Draft(
            key=key,
            answers=json.loads(row.answers),
            submission_id=row.submission_id,
            response_id=row.response_id,
            updated_at=row.updated_at,
        )

    def save(self, key: DraftKey, answers: Answers) -> Draft:
        """Create or update the draft for ``key``; keeps its submission id."""
        now = datetime.now(UTC).replace(tzinfo=None)
        text = json.dumps(answers, default=str)
        with self.engine.begin() as conn:
            current = conn.execute(
                select(drafts_table.c.submission_id, drafts_table.c.response_id).where(
                    drafts_table.c.draft_key == key.as_string()
                )
            ).first()
            if current is None:
                self._check_quota(conn, key)
                sid = uuid.uuid4().hex
                try:
                    with conn.begin_nested():
                        conn.execute(
                            drafts_table.insert().values(
                                draft_key=key.as_string(),
                                template=key.template,
                                pilot=key.pilot,
                                loop=key.loop,
                                phase=key.phase,
                                participant=key.participant,
                                answers=text,
                                submission_id=sid,
                                response_id=None,
                                updated_at=now,
                            )
                        )
                    return Draft(key, dict(answers), sid, None, now)
                except IntegrityError:  # created concurrently: fall through to update
                    pass
            conn.execute(
                drafts_table.update()
                .where(drafts_table.c.draft_key == key.as_string())
                .values(answers=text, updated_at=now)
            )
        draft = self.load(key)
        if draft is None:  # pragma: no cover - deleted concurrently
            msg = f"draft {key.as_string()!r} vanished while saving"
            raise StoreError(msg)
        return draft

    def _check_quota(self, conn: Connection, key: DraftKey) -> None:
        """Raise :class:`QuotaError` if a new draft would pass a limit (checked before inserting)."""
        t = drafts_table.c
        mine = conn.execute(
            select(func.count()).select_from(drafts_table).where(t.participant == key.participant)
        ).scalar_one()
        if mine >= self.max_per_participant:
            msg = f"participant code has {mine} drafts already (limit {self.max_per_participant})"
            raise QuotaError(msg)
        total = conn.execute(select(func.count()).select_from(drafts_table)).scalar_one()
        if total >= self.max_total:
            msg = f"{total} drafts in the store already (limit {self.max_total})"
            raise QuotaError(msg)

    def check_writable(self, *, min_free_bytes: int = 50 * 1024 * 1024) -> None:
        """Raise :class:`StoreError` unless the database takes a write now.

        Writes and removes a probe row (one committed transaction, no net
        change); for an SQLite file also checks that its disk has at least
        ``min_free_bytes`` free, since a full disk fails only mid-workshop.
        """
        import shutil
        from pathlib import Path

        database = (
            self.engine.url.database if self.engine.url.get_backend_name() == "sqlite" else None
        )
        if database and database != ":memory:":
            folder = Path(database.removeprefix("file:").split("?")[0]).resolve().parent
            free = shutil.disk_usage(folder).free if folder.is_dir() else min_free_bytes
            if free < min_free_bytes:
                msg = (
                    f"only {free // (1024 * 1024)} MB free on the disk of {folder.name}/ "
                    f"(at least {min_free_bytes // (1024 * 1024)} MB needed); free some space"
                )
                raise StoreError(msg)
        probe = "__transferkit_write_probe__"
        try:
            with self.engine.begin() as conn:
                conn.execute(drafts_table.delete().where(drafts_table.c.draft_key == probe))
                conn.execute(
                    drafts_table.insert().values(
                        draft_key=probe,
                        template=probe,
                        participant=probe,
                        answers="{}",
                        submission_id=probe,
                        updated_at=datetime.now(UTC).replace(tzinfo=None),
                    )
                )
                conn.execute(drafts_table.delete().where(drafts_table.c.draft_key == probe))
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).splitlines()[0]
            msg = f"the database refuses writes ({reason}); check that it is not read-only"
            raise StoreError(msg) from error

    def mark_submitted(self, key: DraftKey, response_id: int) -> None:
        """Record that the draft's sheet was stored as ``response_id``."""
        with self.engine.begin() as conn:
            conn.execute(
                drafts_table.update()
                .where(drafts_table.c.draft_key == key.as_string())
                .values(response_id=response_id)
            )

    def start_over(self, key: DraftKey) -> Draft:
        """Forget a submitted draft: empty answers and a fresh submission id."""
        with self.engine.begin() as conn:
            conn.execute(drafts_table.delete().where(drafts_table.c.draft_key == key.as_string()))
        return self.save(key, {})

    def count(
        self,
        template: str,
        *,
        pilot: str | None = None,
        loop: int | None = None,
        phase: str | None = None,
        submitted: bool | None = None,
    ) -> int:
        """Number of participants with a draft for this sheet (joined), optionally only (not) submitted."""
        t = drafts_table.c
        query = select(func.count(func.distinct(t.participant))).where(t.template == template)
        if pilot is not None:
            query = query.where(t.pilot == pilot)
        if loop is not None:
            query = query.where(t.loop == loop)
        if phase is not None:
            query = query.where(t.phase == phase)
        if submitted is True:
            query = query.where(t.response_id.is_not(None))
        elif submitted is False:
            query = query.where(t.response_id.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
