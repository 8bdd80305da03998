"""Database tables of the store (SQLAlchemy 2 ORM, typed ``Mapped[...]``).

Change a table only together with :data:`SCHEMA_VERSION` and a migration
step in :mod:`transferkit.store.migrations`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from transferkit.store.sme import SIZE_CLASSES
from transferkit.store.values import Answers, JSONValue
from transferkit.vocabulary import ACTION_STATUSES

__all__ = [
    "ACTION_STATUSES",
    "KIRKPATRICK_LEVELS",
    "LOOP_COUNTS",
    "ROLES",
    "SCHEMA_VERSION",
    "ActionItem",
    "Base",
    "Company",
    "CompanyRole",
    "FormatPlan",
    "KirkpatrickIndicator",
    "LoopClosing",
    "Network",
    "Participant",
    "Pilot",
    "PilotBenefit",
    "PilotCost",
    "Response",
    "SchemaVersion",
    "UTCDateTime",
    "pilot_companies",
]

#: Version of the table layout; stored in the ``schema_version`` table.
#: 1: first layout; 2: table ``loop_closings``; 3: tables ``pilot_costs``,
#: ``pilot_benefits``, ``kirkpatrick_indicators``, ``format_plans``; 4: columns
#: ``pilots.hourly_rate`` and ``pilots.currency`` (steps: :mod:`transferkit.store.migrations`).
SCHEMA_VERSION = 4
#: Roles a company can take in a network (several at once).
ROLES = ("organiser", "financier", "sender", "best_practice")
# Status values of an action item: ACTION_STATUSES, from transferkit.vocabulary.
#: Kirkpatrick's evaluation levels: 1 reaction, 2 learning, 3 behaviour, 4 results.
KIRKPATRICK_LEVELS = (1, 2, 3, 4)
#: Whole-number key figures of a closed loop (columns of ``loop_closings``), in order.
LOOP_COUNTS = (
    "participants",
    "responses",
    "items_carried_in",
    "items_new",
    "items_done",
    "items_dropped",
    "items_open",
)

_ID = 100  # length of text ids (network, company, pilot, template)
_CODE = 64  # length of participant codes and submission ids
_ITEM = 200  # length of cost and benefit items, indicator names
_UNIT = 100  # length of indicator units
_FORMAT = 50  # length of learning format names


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert aware datetimes to naive UTC; naive ones are taken as UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Attach UTC to the stored naive value."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


_Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of all store tables."""


class SchemaVersion(Base):
    """One row: the layout version of this database, for later migrations."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Network(Base):
    """A regional network (Qualifizierungsverbund) of companies and partners."""

    __tablename__ = "networks"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(200))


class Company(Base):
    """An SME taking part in a network."""

    __tablename__ = "companies"
    __table_args__ = (CheckConstraint(_in("size_class", SIZE_CLASSES), name="ck_size_class"),)

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    size_class: Mapped[str | None] = mapped_column(String(10))
    employees: Mapped[int | None] = mapped_column(Integer)
    sector: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    network_id: Mapped[str | None] = mapped_column(ForeignKey("networks.id"))

    roles: Mapped[list[CompanyRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class CompanyRole(Base):
    """One role of a company in its network."""

    __tablename__ = "company_roles"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_role"),)

    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


pilot_companies = Table(
    "pilot_companies",
    Base.metadata,
    Column("pilot_id", ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
)


class Pilot(Base):
    """A scientifically accompanied pilot project running several reflection loops."""

    __tablename__ = "pilots"

    id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    network_id: Mapped[str | None] = mapped_column(ForeignKey("networks.id"))
    title_de: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    topic: Mapped[str | None] = mapped_column(String(200))
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    loops: Mapped[int | None] = mapped_column(Integer)
    #: Loaded labour cost of one hour of participants' working time, in ``currency``
    #: (the needs report costs planned learning time with it); None: not set.
    hourly_rate: Mapped[float | None] = mapped_column(Float)
    #: ISO 4217 code of ``hourly_rate``, e.g. ``EUR``.
    currency: Mapped[str | None] = mapped_column(String(3))

    companies: Mapped[list[Company]] = relationship(secondary=pilot_companies)


class Participant(Base):
    """A respondent, known only by a pseudonymous code (never a name)."""

    __tablename__ = "participants"

    code: Mapped[str] = mapped_column(String(_CODE), primary_key=True)
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    pilot_id: Mapped[str | None] = mapped_column(ForeignKey("pilots.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Response(Base):
    """One submitted sheet: validated answers plus where and when they came from."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_template", "template_id"),
        Index("ix_responses_pilot_loop", "pilot_id", "loop"),
        Index("ix_responses_participant", "participant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(_CODE), unique=True)
    template_id: Mapped[str] = mapped_column(String(_ID))
    template_version: Mapped[int] = mapped_column(Integer)
    pilot_id: Mapped[str | None] = mapped_column(ForeignKey("pilots.id"))
    loop: Mapped[int | None] = mapped_column(Integer)
    phase: Mapped[str | None] = mapped_column(String(_ID))
    participant: Mapped[str | None] = mapped_column(ForeignKey("participants.code"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answers: Mapped[Answers] = mapped_column(_Json)


class ActionItem(Base):
    """An improvement agreed in a loop, followed up in later loops."""

    __tablename__ = "action_items"
    __table_args__ = (CheckConstraint(_in("status", ACTION_STATUSES), name="ck_status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pilot_id: Mapped[str] = mapped_column(ForeignKey("pilots.id"), index=True)
    loop_raised: Mapped[int | None] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    loop_closed: Mapped[int | None] = mapped_column(Integer)


class LoopClosing(Base):
    """A closed reflection loop: its key figures at the moment the moderator closed it.

    Aggregates only (counts, mean ratings, the moderator's group names and
    dots): no participant codes and no answer texts, so erasing a participant
    leaves it as it is. One row per pilot and loop; closing again replaces it.
    """

    __tablename__ = "loop_closings"
    __table_args__ = (UniqueConstraint("pilot_id", "loop", name="uq_loop_closings_pilot_loop"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pilot_id: Mapped[str] = mapped_column(ForeignKey("pilots.id"), index=True)
    loop: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[str] = mapped_column(String(_ID))
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    items_carried_in: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[int] = mapped_column(Integer, default=0)
    items_open: Mapped[int] = mapped_column(Integer, default=0)
    #: rating question id -> {"n": number of ratings, "mean": mean or null}
    ratings: Mapped[dict[str, JSONValue]] = mapped_column(_Json)
    #: the moderator's dot vote on groups of inputs: [{"group": name, "dots": n}, ...]
    dots: Mapped[list[JSONValue]] = mapped_column(_Json)


class PilotCost(Base):
    """One cost item of a pilot in EUR (Phillips: fully loaded costs), for the ROI.

    One row per pilot and item; adding the same item again replaces amount and note.
    """

    __tablename__ = "pilot_costs"
    __table_args__ = (
        UniqueConstraint("pilot_id", "item", name="uq_pilot_costs_pilot_item"),
        CheckConstraint("amount_eur >= 0", name="ck_pilot_costs_amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pilot_id: Mapped[str] = mapped_column(ForeignKey("pilots.id"), index=True)
    item: Mapped[str] = mapped_column(String(_ITEM))
    amount_eur: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class PilotBenefit(Base):
    """One monetised benefit of a pilot in EUR (Phillips), for the ROI.

    One row per pilot and item; adding the same item again replaces amount and note.
    """

    __tablename__ = "pilot_benefits"
    __table_args__ = (
        UniqueConstraint("pilot_id", "item", name="uq_pilot_benefits_pilot_item"),
        CheckConstraint("amount_eur >= 0", name="ck_pilot_benefits_amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pilot_id: Mapped[str] = mapped_column(ForeignKey("pilots.id"), index=True)
    item: Mapped[str] = mapped_column(String(_ITEM))
    amount_eur: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class KirkpatrickIndicator(Base):
    """One indicator of a pilot on one Kirkpatrick level (1 reaction .. 4 results).

    One row per pilot and indicator name; adding it again replaces level, value and unit.
    """

    __tablename__ = "kirkpatrick_indicators"
    __table_args__ = (
        UniqueConstraint("pilot_id", "indicator", name="uq_kirkpatrick_indicators_pilot_ind"),
        CheckConstraint("level BETWEEN 1 AND 4", name="ck_kirkpatrick_indicators_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pilot_id: Mapped[str] = mapped_column(ForeignKey("pilots.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(_ITEM))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(_UNIT))


class FormatPlan(Base):
    """A planned learning format of one participant (Bildungsplan): sessions and minutes.

    Personal data: the participant is a pseudonymous code (a registered
    participant); erasing the participant removes their rows. One row per
    participant and format; adding it again replaces company, sessions and minutes.
    The format is checked against ``transferkit.vocabulary.FORMATS`` by the
    store (not by the database, so that new formats need no migration).
    """

    __tablename__ = "format_plans"
    __table_args__ = (
        UniqueConstraint("participant", "format", name="uq_format_plans_participant_format"),
        CheckConstraint("sessions >= 1", name="ck_format_plans_sessions"),
        CheckConstraint("minutes_per_session >= 1", name="ck_format_plans_minutes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    participant: Mapped[str] = mapped_column(ForeignKey("participants.code"), index=True)
    format: Mapped[str] = mapped_column(String(_FORMAT))
    sessions: Mapped[int] = mapped_column(Integer)
    minutes_per_session: Mapped[int] = mapped_column(Integer)
