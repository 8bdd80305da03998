"""The response store: pilots, companies, participants, responses, action items, closed
loops, and the evaluation data of pilots (costs, benefits, Kirkpatrick indicators,
planned learning formats)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypedDict, TypeVar, cast

from sqlalchemy import (
    Connection,
    Executable,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from transferkit.exceptions import StoreError, TransferkitError
from transferkit.store.checks import (
    MAX_CODE,
    MAX_ID,
    check_amount,
    check_closing,
    check_code,
    check_currency,
    check_date,
    check_format,
    check_int,
    check_level,
    check_number,
    check_rate,
    id_list,
    optional_text,
    required_int,
    text_id,
    utc_datetime,
)
from transferkit.store.drafts import drafts_table
from transferkit.store.engine import (
    WRITE_OPTION,
    make_store_engine,
    mask_url,
    resolve_url,
    with_retry,
)
from transferkit.store.migrations import migrate
from transferkit.store.schema import (
    ACTION_STATUSES,
    LOOP_COUNTS,
    ROLES,
    SCHEMA_VERSION,
    ActionItem,
    Base,
    Company,
    CompanyRole,
    FormatPlan,
    KirkpatrickIndicator,
    LoopClosing,
    Network,
    Participant,
    Pilot,
    PilotBenefit,
    PilotCost,
    Response,
    SchemaVersion,
    pilot_companies,
)
from transferkit.store.sme import SIZE_CLASSES
from transferkit.store.sme import size_class as _size_class
from transferkit.store.values import Answers, JSONValue, Row

__all__ = ["RESPONSE_COLUMNS", "QuestionLike", "Store", "StoreInfo", "TemplateLike"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd

#: Metadata columns of :meth:`Store.responses`, before the answer columns.
RESPONSE_COLUMNS = (
    "response_id",
    "submission_id",
    "template",
    "template_version",
    "pilot",
    "loop",
    "phase",
    "participant",
    "submitted_at",
)
_RESPONSE_DTYPES = {
    "response_id": "int64",
    "submission_id": "str",
    "template": "str",
    "template_version": "int64",
    "pilot": "str",
    "loop": "Int64",
    "phase": "str",
    "participant": "str",
    "submitted_at": "datetime64[us, UTC]",
}
_PG_LOCK_ID = 7_465_720_131  # advisory lock serialising schema creation on PostgreSQL
_T = TypeVar("_T")
_Money = TypeVar("_Money", PilotCost, PilotBenefit)


class QuestionLike(Protocol):
    """What the store needs of a question (``transferkit.templates.Question``)."""

    @property
    def id(self) -> str:
        """Question id."""
        ...


class StoreInfo(TypedDict):
    """What :meth:`Store.info` reports."""

    url: str
    backend: str
    counts: dict[str, int]
    schema_version: int | None


class TemplateLike(Protocol):
    """What the store needs of a template (``transferkit.templates.Template``)."""

    @property
    def id(self) -> str:
        """Template id."""
        ...

    @property
    def version(self) -> int:
        """Template version."""
        ...

    def all_questions(self, phase: str | None = None) -> Sequence[QuestionLike]:
        """Questions (each with ``.id``), of one phase or all."""
        ...

    def validate(self, answers: Answers, *, phase: str | None = None) -> Answers:
        """Cleaned answers, or raise ``AnswerValidationError``."""
        ...


def _as_template(template: TemplateLike | str) -> TemplateLike:
    if not isinstance(template, str):
        return template
    # templates sit below the store (they import nothing of it); loaded on first use only
    from transferkit.templates import load_template

    loaded: TemplateLike = load_template(template)
    return loaded


def _answer_series(values: list[JSONValue], name: str) -> pd.Series:
    import pandas as pd

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, name=name, dtype="boolean")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        if len(present) == len(values) and all(isinstance(v, int) for v in present):
            return pd.Series(values, name=name, dtype="int64")
        return pd.Series([math.nan if v is None else v for v in values], name=name, dtype=float)
    if present and all(isinstance(v, str) for v in present):
        return pd.Series(values, name=name, dtype="str")
    return pd.Series(values, name=name, dtype=object)


def _frame(columns: dict[str, str], rows: list[Row]) -> pd.DataFrame:
    import pandas as pd

    data = {}
    for column, dtype in columns.items():
        values = [row[column] for row in rows]
        if dtype.startswith("datetime"):
            data[column] = pd.Series(pd.to_datetime(values, utc="UTC" in dtype), dtype=dtype)
        elif dtype == "str":
            data[column] = pd.Series(values, dtype="str")
        else:
            data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data, columns=list(columns))



# ---------------------------------------------------------------- the store


class Store:
    """Responses, pilots and networks in one SQL database.

    ``url`` is any SQLAlchemy URL; ``None`` uses ``$TRANSFERKIT_DB`` or the
    SQLite file ``data/transferkit.db`` below the current directory.
    ``postgresql://`` URLs use psycopg 3. Tables are created on first use.
    Every writing call is one transaction, retried with backoff when the
    database is busy, so many processes (Voilà kernels) can write at once.

    >>> with Store("sqlite://") as store:
    ...     store.add_pilot("P01", "Agile Methoden im Vertrieb")
    ...     store.pilots()["pilot_id"].tolist()
    'P01'
    ['P01']
    """

    def __init__(self, url: str | URL | None = None) -> None:
        self.url = resolve_url(url)
        self.backend = self.url.get_backend_name()
        self.engine = make_store_engine(self.url)
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})
        self._bulk: Session | None = None
        self._sql = self._statements()
        try:
            with_retry(self._create_schema)
        except StoreError:
            self.engine.dispose()
            raise
        except DBAPIError as exc:
            self.engine.dispose()
            msg = (
                f"Cannot open the database {mask_url(self.url)}: {exc.orig}. Check that the "
                "server is running and reachable, that the database exists, and that user "
                "and password are right (set the URL with Store(url) or $TRANSFERKIT_DB)."
            )
            raise StoreError(msg) from exc

    def _create_schema(self) -> None:
        with self._writer.begin() as conn:
            if self.backend == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
            Base.metadata.create_all(conn)
            version = conn.scalar(select(SchemaVersion.version).where(SchemaVersion.id == 1))
            if version is None:
                conn.execute(
                    insert(SchemaVersion).values(
                        id=1, version=SCHEMA_VERSION, created_at=dt.datetime.now(dt.UTC)
                    )
                )
            elif version > SCHEMA_VERSION:
                msg = (
                    f"The database {mask_url(self.url)} has schema version {version}, newer "
                    f"than this transferkit understands ({SCHEMA_VERSION}); upgrade transferkit"
                )
                raise StoreError(msg)
            elif version < SCHEMA_VERSION:
                migrate(conn, version, mask_url(self.url))

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close all database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({mask_url(self.url)!r})"

    # ------------------------------------------------------------ transactions

    def _run(self, work: Callable[[Session], _T], *, write: bool) -> _T:
        """Run ``work`` in a transaction of its own (or in the open ``bulk()`` one).

        Busy or locked databases and lost connections are retried with
        backoff; a unique-key clash (another process added the same id a
        moment earlier) is retried once, and then sees the other's row.
        """

        def attempt() -> _T:
            if self._bulk is not None:
                return work(self._bulk)
            with Session(self._writer if write else self.engine) as session, session.begin():
                return work(session)

        try:
            if self._bulk is not None:
                return attempt()
            try:
                return with_retry(attempt)
            except IntegrityError:
                return with_retry(attempt)
        except IntegrityError as exc:
            msg = f"The database refused the change: {exc.orig}"
            raise StoreError(msg) from exc
        except DBAPIError as exc:
            msg = (
                f"Database error with {mask_url(self.url)}: {exc.orig}. Check that the "
                "database is reachable and not read-only."
            )
            raise StoreError(msg) from exc

    @contextmanager
    def bulk(self) -> Iterator[Store]:
        """Run every call inside the ``with`` block in one transaction.

        For importers that load many rows: ``add_*`` and ``submit`` then
        share one transaction, committed at the end of the block and rolled
        back entirely if the block raises. On SQLite the block holds the
        write lock, so keep it short (other writers wait up to 30 s).
        Nested ``bulk()`` blocks join the outer one.

        >>> with Store("sqlite://") as store:
        ...     with store.bulk():
        ...         for i in range(3):
        ...             _ = store.add_network(f"N{i}", f"Netz {i}")
        ...     len(store.networks())
        3
        """
        if self._bulk is not None:
            yield self
            return
        session = Session(self._writer)
        session.begin()
        self._bulk = session
        try:
            yield self
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            self._bulk = None
            session.close()

    def _statements(self) -> dict[str, Executable]:
        """Statements of ``submit``, built once (it runs in every sheet submission)."""
        responses = cast(Table, Response.__table__)
        participants = cast(Table, Participant.__table__)
        sql: dict[str, Executable] = {
            "find": select(responses.c.id).where(responses.c.submission_id == bindparam("sid")),
            "pilot": select(Pilot.__table__.c.id).where(Pilot.__table__.c.id == bindparam("pilot")),
        }
        if self.backend in {"sqlite", "postgresql"}:
            make = sqlite_insert if self.backend == "sqlite" else pg_insert
            sql["participant"] = make(participants).on_conflict_do_nothing(index_elements=["code"])
            sql["response"] = (
                make(responses)
                .on_conflict_do_nothing(index_elements=["submission_id"])
                .returning(responses.c.id)
            )
        else:
            sql["participant"] = insert(participants)
            sql["response"] = insert(responses)
        return sql

    def _insert_ignore(self, conn: Connection, what: str, values: Row) -> int | None:
        """INSERT that does nothing when the key exists; returns the new id (responses)."""
        if self.backend in {"sqlite", "postgresql"}:
            result = conn.execute(self._sql[what], values)
            return cast("int | None", result.scalar()) if what == "response" else None
        try:  # other databases: a savepoint, and the unique key decides
            with conn.begin_nested():
                conn.execute(self._sql[what], values)
        except IntegrityError:
            return None  # a concurrent writer stored the same key first
        return (
            cast("int | None", conn.scalar(self._sql["find"], {"sid": values["submission_id"]}))
            if what == "response"
            else None
        )

    # ------------------------------------------------------------ lookups

    def _require(self, session: Session, model: type[Pilot | Network | Company], key: str, what: str, hint: str) -> None:
        if session.get(model, key) is not None:
            return
        known = session.scalars(select(model.id).order_by(model.id).limit(30)).all()
        listed = ", ".join(known) if known else "none yet"
        msg = f"Unknown {what} {key!r} (known: {listed}). {hint}"
        raise StoreError(msg)

    def _require_pilot(self, session: Session, pilot: str) -> None:
        self._require(
            session,
            Pilot,
            pilot,
            "pilot",
            "Add it first with `transferkit pilot add` (or store.add_pilot(...)); the demo: `transferkit db import-demo`.",
        )

    # ------------------------------------------------------------ responses

    def submit(
        self,
        template: TemplateLike | str,
        answers: Answers,
        *,
        pilot: str | None = None,
        loop: int | None = None,
        phase: str | None = None,
        participant: str | None = None,
        submission_id: str | None = None,
        submitted_at: dt.datetime | str | None = None,
    ) -> int:
        """Validate and store one filled-in sheet; return the response id.

        ``template`` is a template or a template name. The answers are
        validated first (``AnswerValidationError``: nothing is written).
        ``submission_id`` is generated by the client (a uuid4 hex if
        ``None``); submitting the same id again stores nothing and returns
        the first response's id, even when both submits run at once.
        ``pilot`` must exist; a new ``participant`` code is registered; a
        participant that looks like a real name is refused. Naive
        ``submitted_at`` values are taken as UTC.
        """
        tpl = _as_template(template)
        phase = optional_text(phase, "phase", MAX_ID)
        cleaned = tpl.validate(answers, phase=phase)
        try:
            json.dumps(cleaned, allow_nan=False)
        except (TypeError, ValueError) as exc:
            msg = f"The cleaned answers of template {tpl.id!r} cannot be stored as JSON: {exc}"
            raise StoreError(msg) from None
        pilot = optional_text(pilot, "pilot id", MAX_ID)
        code = None if participant is None else check_code(participant)
        values = {
            "submission_id": (
                uuid.uuid4().hex
                if submission_id is None
                else text_id(submission_id, "submission_id", MAX_CODE)
            ),
            "template_id": tpl.id,
            "template_version": int(tpl.version),
            "pilot_id": pilot,
            "loop": check_int(loop, "loop"),
            "phase": phase,
            "participant": code,
            "submitted_at": utc_datetime(submitted_at),
            "answers": cleaned,
        }
        sid = values["submission_id"]
        now = dt.datetime.now(dt.UTC)

        def work(session: Session) -> int:
            conn = session.connection()
            if pilot is not None and conn.scalar(self._sql["pilot"], {"pilot": pilot}) is None:
                self._require_pilot(session, pilot)
            if code is not None:
                registration = {"code": code, "pilot_id": pilot, "registered_at": now}
                self._insert_ignore(conn, "participant", registration)
            stored = self._insert_ignore(conn, "response", values)
            if stored is None:  # stored before (maybe just now by a concurrent writer)
                stored = conn.scalar(self._sql["find"], {"sid": sid})
            if stored is None:  # pragma: no cover - only if the row vanished at once
                msg = f"Submission {sid!r} was not stored; please submit again"
                raise StoreError(msg)
            return int(stored)

        return self._run(work, write=True)

    def _response_template(
        self, template: TemplateLike | str | None
    ) -> tuple[str | None, TemplateLike | None]:
        if template is None:
            return None, None
        if not isinstance(template, str):
            return template.id, template
        try:
            loaded = _as_template(template)
        except (TransferkitError, ImportError):
            return template, None
        return loaded.id, loaded

    def _response_rows(
        self,
        template_id: str | None,
        pilot: str | None,
        loop: int | None,
        phase: str | None,
    ) -> list[Response]:
        stmt = select(Response).order_by(Response.id)
        if template_id is not None:
            stmt = stmt.where(Response.template_id == template_id)
        if pilot is not None:
            stmt = stmt.where(Response.pilot_id == pilot)
        if loop is not None:
            stmt = stmt.where(Response.loop == loop)
        if phase is not None:
            stmt = stmt.where(Response.phase == phase)

        def work(session: Session) -> list[Response]:
            rows = list(session.scalars(stmt))
            session.expunge_all()
            return rows

        return self._run(work, write=False)

    def responses(
        self,
        template: TemplateLike | str | None = None,
        pilot: str | None = None,
        loop: int | None = None,
        phase: str | None = None,
    ) -> pd.DataFrame:
        """Stored responses as a tidy DataFrame, one row per response.

        Columns: :data:`RESPONSE_COLUMNS`, then one column per question id:
        in template order when one template is selected (all its questions,
        or those of ``phase``), else the union of answered ids. ``loop`` is
        nullable ``Int64``; ``submitted_at`` is UTC. Whole-number answers are
        ``int64`` (``float64`` when some are missing), texts ``str``, lists
        and dicts stay Python objects.
        """
        template_id, tpl = self._response_template(template)
        rows = self._response_rows(template_id, pilot, check_int(loop, "loop"), phase)
        question_ids: list[str] = []
        if tpl is not None:
            question_ids = [q.id for q in tpl.all_questions(phase)]
        known = set(question_ids)
        for row in rows:
            for key in row.answers:
                if key not in known:
                    known.add(key)
                    question_ids.append(key)
        meta = _frame(
            _RESPONSE_DTYPES,
            [
                {
                    "response_id": row.id,
                    "submission_id": row.submission_id,
                    "template": row.template_id,
                    "template_version": row.template_version,
                    "pilot": row.pilot_id,
                    "loop": row.loop,
                    "phase": row.phase,
                    "participant": row.participant,
                    "submitted_at": row.submitted_at,
                }
                for row in rows
            ],
        )
        answers = [
            _answer_series([row.answers.get(qid) for row in rows], qid)
            for qid in question_ids
            if qid not in _RESPONSE_DTYPES
        ]
        if not answers:
            return meta
        import pandas as pd

        return pd.concat([meta, *answers], axis=1)

    def export_pseudonymized(
        self,
        template: TemplateLike | str | None = None,
        pilot: str | None = None,
        salt: str | None = None,
        *,
        table: str = "responses",
        free_text: str = "keep",
    ) -> pd.DataFrame:
        """Rows about participants for sharing: participant codes replaced by salted hashes.

        ``table="responses"`` (default): the responses (of ``template`` and
        ``pilot``), without ``response_id`` and ``submission_id``.
        ``table="format_plans"``: the planned learning formats (of the
        participants registered for ``pilot``); ``template`` must be None.
        The same ``salt`` gives the same pseudonyms in every export and in both
        tables, so they can be linked (keep it secret); without a salt a random
        one is drawn, so two exports cannot be linked. ``free_text="keep"``
        exports answers written in people's own words as they are (check them
        before sharing); ``"drop"`` removes them
        (:func:`transferkit.privacy.without_free_text`: texts, the what/who of
        action items, GAS goal texts; for a template the store cannot load by
        its id, every answer that is not a number — pass the template object
        to keep its choices).
        """
        import pandas as pd

        if free_text not in ("keep", "drop"):
            msg = f"free_text must be 'keep' or 'drop', got {free_text!r}"
            raise StoreError(msg)
        if table == "responses":
            data = self.responses(template=template, pilot=pilot)
            data = data.drop(columns=["response_id", "submission_id"])
            if free_text == "drop":
                from transferkit.privacy import without_free_text

                given = template if template is not None and not isinstance(template, str) else None

                def template_of(template_id: str) -> TemplateLike | None:
                    if given is not None and given.id == template_id:
                        return given
                    return self._response_template(template_id)[1]

                answers = [c for c in data.columns if c not in RESPONSE_COLUMNS]
                data = without_free_text(data, template_of, answers)
        elif table == "format_plans":
            if template is not None:
                msg = "template selects responses; leave it out for table='format_plans'"
                raise StoreError(msg)
            data = self.format_plans()
            if pilot is not None:
                people = self.participants()
                codes = set(people.loc[people["pilot_id"] == pilot, "participant"])
                data = data[data["participant"].isin(codes)].reset_index(drop=True)
        else:
            msg = f"table must be 'responses' or 'format_plans', got {table!r}"
            raise StoreError(msg)
        key = (salt if salt is not None else secrets.token_hex(16)).encode()

        def pseudonym(code: object) -> object:
            if not isinstance(code, str):
                return code
            return "X" + hmac.new(key, code.encode(), hashlib.sha256).hexdigest()[:12]

        data["participant"] = pd.Series(
            [pseudonym(c) for c in data["participant"]], index=data.index, dtype="str"
        )
        return data

    def erase_participant(self, code: str) -> int:
        """Erase a participant and everything stored about them (on request).

        Removes their responses, their planned learning formats
        (``format_plans``), their half-filled sheet drafts and the participant
        row, and blanks the ``owner`` of action items that name the code.
        Returns the number of rows removed (responses + format plans + drafts
        + 1). On
        SQLite the freed pages are overwritten (``secure_delete``) and the WAL
        file is emptied. Closed loops (``loop_closings``) hold only aggregates
        and stay as they are.
        """
        from sqlalchemy import inspect

        code = text_id(code, "participant code", MAX_CODE)

        def work(session: Session) -> int:
            drafts = 0
            if inspect(session.connection()).has_table(drafts_table.name):
                gone_drafts = session.execute(
                    delete(drafts_table).where(drafts_table.c.participant == code)
                )
                drafts = int(gone_drafts.rowcount)  # type: ignore[attr-defined]
            if session.get(Participant, code) is None and drafts == 0:
                msg = f"No participant {code!r} in the store (already erased, or a typo?)"
                raise StoreError(msg)
            removed = session.execute(delete(Response).where(Response.participant == code))
            plans = session.execute(delete(FormatPlan).where(FormatPlan.participant == code))
            gone = session.execute(delete(Participant).where(Participant.code == code))
            session.execute(
                update(ActionItem).where(ActionItem.owner == code).values(owner=None)
            )
            return (
                int(removed.rowcount)  # type: ignore[attr-defined]
                + int(plans.rowcount)  # type: ignore[attr-defined]
                + int(gone.rowcount)  # type: ignore[attr-defined]
                + drafts
            )

        count = self._run(work, write=True)
        if self.backend == "sqlite" and self._bulk is None:
            # copy the WAL into the database and empty it: no erased page stays behind
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        return count

    # ------------------------------------------------------------ networks and companies

    def add_network(self, id: str, name: str, region: str | None = None) -> str:
        """Add a network (or update the one with this id); return its id."""
        network_id = text_id(id, "network id")
        network_name = text_id(name, "network name", 300)
        network_region = optional_text(region, "region", 200)

        def work(session: Session) -> str:
            row = session.get(Network, network_id)
            if row is None:
                session.add(Network(id=network_id, name=network_name, region=network_region))
            else:
                row.name, row.region = network_name, network_region
            return network_id

        return self._run(work, write=True)

    def add_company(
        self,
        id: str,
        name: str,
        *,
        size_class: str | None = None,
        employees: int | None = None,
        turnover_eur: float | None = None,
        balance_sheet_eur: float | None = None,
        sector: str | None = None,
        region: str | None = None,
        network: str | None = None,
        roles: str | Iterable[str] = (),
    ) -> str:
        """Add a company (or update the one with this id); return its id.

        ``size_class`` is derived from ``employees`` (and turnover or
        balance sheet, if given) by :func:`~transferkit.store.size_class`
        unless given. ``roles`` (several, ``;``-joined text or a list) are
        taken from ``organiser``, ``financier``, ``sender``, ``best_practice``.
        """
        company_id = text_id(id, "company id")
        employees = check_int(employees, "employees")
        if size_class is None and employees is not None:
            size_class = _size_class(employees, turnover_eur, balance_sheet_eur)
        if size_class is not None and size_class not in SIZE_CLASSES:
            msg = f"size_class must be one of {', '.join(SIZE_CLASSES)}, got {size_class!r}"
            raise StoreError(msg)
        role_list = id_list(roles, "role")
        unknown = [r for r in role_list if r not in ROLES]
        if unknown:
            msg = f"Unknown role(s) {', '.join(unknown)} for company {company_id!r}; use {ROLES}"
            raise StoreError(msg)
        network_id = optional_text(network, "network id")
        fields = {
            "name": text_id(name, "company name", 300),
            "size_class": size_class,
            "employees": employees,
            "sector": optional_text(sector, "sector"),
            "region": optional_text(region, "region"),
            "network_id": network_id,
        }

        def work(session: Session) -> str:
            if network_id is not None:
                self._require(session, Network, network_id, "network", "Add it with `transferkit network add` (or store.add_network).")
            row = session.get(Company, company_id)
            if row is None:
                row = Company(id=company_id, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            row.roles = [CompanyRole(company_id=company_id, role=r) for r in role_list]
            session.flush()
            return company_id

        return self._run(work, write=True)

    # ------------------------------------------------------------ pilots and participants

    def add_pilot(
        self,
        id: str,
        title_de: str,
        title_en: str | None = None,
        *,
        network: str | None = None,
        topic: str | None = None,
        companies: str | Iterable[str] = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        loops: int | None = None,
        hourly_rate: float | None = None,
        currency: str = "EUR",
    ) -> str:
        """Add a pilot project (or update the one with this id); return its id.

        ``companies`` (ids, a list or ``;``-joined) must exist already;
        ``loops`` is the number of planned reflection loops. ``hourly_rate`` is
        the loaded labour cost of one hour of the participants' working time in
        ``currency`` (an ISO 4217 code): the needs report costs planned learning
        time with it, and shows hours only while it is not set (``None``).
        Updating a pilot replaces every field, the rate too.
        """
        pilot_id = text_id(id, "pilot id")
        company_ids = id_list(companies, "company id")
        start_date, end_date = check_date(start, "start"), check_date(end, "end")
        if start_date and end_date and end_date < start_date:
            msg = f"Pilot {pilot_id!r} ends ({end_date}) before it starts ({start_date})"
            raise StoreError(msg)
        network_id = optional_text(network, "network id")
        fields = {
            "title_de": text_id(title_de, "title_de", 500),
            "title_en": optional_text(title_en, "title_en", 500),
            "network_id": network_id,
            "topic": optional_text(topic, "topic", 200),
            "start": start_date,
            "end": end_date,
            "loops": check_int(loops, "loops", minimum=1),
            "hourly_rate": check_rate(hourly_rate),
            "currency": check_currency(currency),
        }

        def work(session: Session) -> str:
            if network_id is not None:
                self._require(session, Network, network_id, "network", "Add it with `transferkit network add` (or store.add_network).")
            found = session.scalars(select(Company).where(Company.id.in_(company_ids))).all()
            missing = sorted(set(company_ids) - {c.id for c in found})
            if missing:
                msg = (
                    f"Pilot {pilot_id!r}: unknown companies {', '.join(missing)}; "
                    "add them first with `transferkit company add` (or store.add_company(...))"
                )
                raise StoreError(msg)
            by_id = {c.id: c for c in found}
            row = session.get(Pilot, pilot_id)
            if row is None:
                row = Pilot(id=pilot_id, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            row.companies = [by_id[c] for c in company_ids]
            session.flush()
            return pilot_id

        return self._run(work, write=True)

    def set_pilot_rate(
        self, pilot: str, hourly_rate: float | None, currency: str = "EUR"
    ) -> None:
        """Set (or with ``None`` clear) the hourly rate of a pilot, leaving its other fields.

        The rate is the loaded labour cost of one working hour in ``currency`` (ISO 4217);
        the needs report costs the planned learning time of the pilot's participants with it.

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden", loops=3)
        ...     store.set_pilot_rate("P01", 52.5, "CHF")
        ...     store.pilots()[["loops", "hourly_rate", "currency"]].values.tolist()
        [[3, 52.5, 'CHF']]
        """
        pilot = text_id(pilot, "pilot id")
        rate, code = check_rate(hourly_rate), check_currency(currency)

        def work(session: Session) -> None:
            self._require_pilot(session, pilot)
            row = session.get(Pilot, pilot)
            if row is not None:
                row.hourly_rate, row.currency = rate, code

        self._run(work, write=True)

    def add_participant(
        self, code: str, *, company: str | None = None, pilot: str | None = None
    ) -> str:
        """Register a participant code (or update its company and pilot); return the code.

        Codes that look like real names are refused (see
        :func:`transferkit.privacy.looks_like_name`).
        """
        code = check_code(code)
        company = optional_text(company, "company id")
        pilot = optional_text(pilot, "pilot id")

        def work(session: Session) -> str:
            if company is not None:
                self._require(session, Company, company, "company", "Add it with `transferkit company add` (or store.add_company).")
            if pilot is not None:
                self._require_pilot(session, pilot)
            row = session.get(Participant, code)
            if row is None:
                session.add(
                    Participant(
                        code=code,
                        company_id=company,
                        pilot_id=pilot,
                        registered_at=dt.datetime.now(dt.UTC),
                    )
                )
            else:
                if company is not None:
                    row.company_id = company
                if pilot is not None:
                    row.pilot_id = pilot
            session.flush()
            return code

        return self._run(work, write=True)

    # ------------------------------------------------------------ removing set-up rows

    def _refuse_if_used(self, session: Session, what: str, key: str, uses: dict[str, Select[Any]]) -> None:
        """Raise :class:`StoreError` naming every kind of row that still refers to ``key``."""
        counts = {name: int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
                  for name, stmt in uses.items()}
        used = {name: n for name, n in counts.items() if n}
        if used:
            listed = ", ".join(f"{n} {name}" for name, n in used.items())
            msg = (f"{what} {key!r} is still used by {listed}; remove or move those first "
                   "(nothing was removed)")
            raise StoreError(msg)

    def remove_network(self, id: str) -> None:
        """Remove a network that no company and no pilot belongs to (else :class:`StoreError`)."""
        network_id = text_id(id, "network id")

        def work(session: Session) -> None:
            self._require(session, Network, network_id, "network", "See `transferkit network list`.")
            self._refuse_if_used(session, "network", network_id, {
                "companies": select(Company.id).where(Company.network_id == network_id),
                "pilots": select(Pilot.id).where(Pilot.network_id == network_id),
            })
            session.execute(delete(Network).where(Network.id == network_id))

        self._run(work, write=True)

    def remove_company(self, id: str) -> None:
        """Remove a company that no pilot, participant or format plan refers to (else :class:`StoreError`)."""
        company_id = text_id(id, "company id")

        def work(session: Session) -> None:
            self._require(session, Company, company_id, "company", "See `transferkit company list`.")
            self._refuse_if_used(session, "company", company_id, {
                "pilots": select(pilot_companies.c.pilot_id).where(pilot_companies.c.company_id == company_id),
                "participants": select(Participant.code).where(Participant.company_id == company_id),
                "format plans": select(FormatPlan.id).where(FormatPlan.company_id == company_id),
            })
            session.execute(delete(CompanyRole).where(CompanyRole.company_id == company_id))
            session.execute(delete(Company).where(Company.id == company_id))

        self._run(work, write=True)

    def remove_pilot(self, id: str) -> None:
        """Remove a pilot with no participants, responses, action items, closings or evaluation data.

        A pilot that has collected anything is refused with a :class:`StoreError` that
        counts what it holds: remove participants with ``erase_participant`` first.
        """
        pilot_id = text_id(id, "pilot id")

        def work(session: Session) -> None:
            self._require_pilot(session, pilot_id)
            self._refuse_if_used(session, "pilot", pilot_id, {
                "participants": select(Participant.code).where(Participant.pilot_id == pilot_id),
                "responses": select(Response.id).where(Response.pilot_id == pilot_id),
                "action items": select(ActionItem.id).where(ActionItem.pilot_id == pilot_id),
                "closed loops": select(LoopClosing.id).where(LoopClosing.pilot_id == pilot_id),
                "costs": select(PilotCost.id).where(PilotCost.pilot_id == pilot_id),
                "benefits": select(PilotBenefit.id).where(PilotBenefit.pilot_id == pilot_id),
                "indicators": select(KirkpatrickIndicator.id).where(KirkpatrickIndicator.pilot_id == pilot_id),
            })
            session.execute(delete(pilot_companies).where(pilot_companies.c.pilot_id == pilot_id))
            session.execute(delete(Pilot).where(Pilot.id == pilot_id))

        self._run(work, write=True)

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
        loop again replaces its row (same id).

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
            row = session.scalars(select(LoopClosing).where(*same)).first()
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
        frame = _frame(
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

    # ------------------------------------------------------------ costs, benefits, indicators

    def _add_money(
        self, model: type[_Money], what: str, pilot: str, item: str,
        amount_eur: float, note: str | None,
    ) -> int:
        pilot = text_id(pilot, "pilot id")
        fields = {
            "item": text_id(item, f"{what} item", 200),
            "amount_eur": check_amount(amount_eur),
            "note": optional_text(note, "note", 2_000),
        }

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            same = model.pilot_id == pilot, model.item == fields["item"]
            row = session.scalars(select(model).where(*same)).first()
            if row is None:
                row = model(pilot_id=pilot, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def add_cost(
        self, pilot: str, item: str, amount_eur: float, note: str | None = None
    ) -> int:
        """Record a cost item of ``pilot`` in EUR (for the ROI); return its row id.

        ``amount_eur`` is a finite number >= 0 (fully loaded costs after Phillips:
        learning time, facilitation, licences, ...). One row per pilot and
        ``item``: adding the same item again replaces its amount and note.

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden")
        ...     _ = store.add_cost("P01", "facilitation", 7200)
        ...     _ = store.add_cost("P01", "licences", 2400, note="Kanban-Tool, 12 Monate")
        ...     store.costs()[["pilot_id", "cost_item", "amount_eur"]]
          pilot_id     cost_item  amount_eur
        0      P01  facilitation      7200.0
        1      P01      licences      2400.0
        """
        return self._add_money(PilotCost, "cost", pilot, item, amount_eur, note)

    def add_benefit(
        self, pilot: str, item: str, amount_eur: float, note: str | None = None
    ) -> int:
        """Record a monetised benefit of ``pilot`` in EUR (for the ROI); return its row id.

        Like :meth:`add_cost`: a finite amount >= 0, one row per pilot and ``item``.
        """
        return self._add_money(PilotBenefit, "benefit", pilot, item, amount_eur, note)

    def add_indicator(
        self,
        pilot: str,
        level: int,
        indicator: str,
        value: float,
        unit: str | None = None,
    ) -> int:
        """Record an indicator of ``pilot`` on Kirkpatrick ``level`` 1-4; return its row id.

        Levels: 1 reaction, 2 learning, 3 behaviour, 4 results. ``value`` is a
        finite number in ``unit`` (e.g. ``likert_1_5``, ``percent``; changes may
        be negative). One row per pilot and ``indicator``: adding it again
        replaces level, value and unit.
        """
        pilot = text_id(pilot, "pilot id")
        fields = {
            "level": check_level(level),
            "indicator": text_id(indicator, "indicator", 200),
            "value": check_number(value, "value"),
            "unit": optional_text(unit, "unit", 100),
        }

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            same = (KirkpatrickIndicator.pilot_id == pilot,
                    KirkpatrickIndicator.indicator == fields["indicator"])
            row = session.scalars(select(KirkpatrickIndicator).where(*same)).first()
            if row is None:
                row = KirkpatrickIndicator(pilot_id=pilot, **fields)
                session.add(row)
            else:
                for key, given in fields.items():
                    setattr(row, key, given)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def add_format_plan(
        self,
        company: str,
        participant: str,
        format: str,
        sessions: int,
        minutes_per_session: int,
    ) -> int:
        """Plan a learning format for a participant of ``company``; return the row id.

        ``format`` is one of :data:`transferkit.evaluation.formats.FORMATS`;
        ``sessions`` and ``minutes_per_session`` are whole numbers >= 1.
        ``participant`` is a pseudonymous code, checked like every participant
        code (names are refused); a new code is registered with ``company``, a
        code registered without a company gets it, a code of another company is
        refused. One row per participant and format: planning it again replaces
        company, sessions and minutes. :meth:`erase_participant` removes the rows.
        """
        company = text_id(company, "company id")
        code = check_code(participant)
        fields = {
            "company_id": company,
            "format": check_format(format),
            "sessions": required_int(sessions, "sessions", 1),
            "minutes_per_session": required_int(minutes_per_session, "minutes_per_session", 1),
        }
        now = dt.datetime.now(dt.UTC)

        def work(session: Session) -> int:
            self._require(
                session, Company, company, "company",
                "Add it first with store.add_company(...) or `transferkit db import-demo`.",
            )
            person = session.get(Participant, code)
            if person is None:
                session.add(Participant(code=code, company_id=company, registered_at=now))
                session.flush()
            elif person.company_id is None:
                person.company_id = company
            elif person.company_id != company:
                msg = (
                    f"Participant {code!r} belongs to company {person.company_id!r}, not "
                    f"{company!r}: plan the format under {person.company_id!r}, or move the "
                    f"participant first with store.add_participant({code!r}, company={company!r})"
                )
                raise StoreError(msg)
            same = FormatPlan.participant == code, FormatPlan.format == fields["format"]
            row = session.scalars(select(FormatPlan).where(*same)).first()
            if row is None:
                row = FormatPlan(participant=code, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def costs(self, pilot: str | None = None) -> pd.DataFrame:
        """Cost items (all, or of one pilot): ``pilot_id, cost_item, amount_eur, note``.

        The columns of the ``costs`` demo dataset plus ``note``; by pilot, then
        in the order they were added. ``amount_eur`` is ``float64``.
        """
        return self._money_frame(PilotCost, "cost_item", pilot)

    def benefits(self, pilot: str | None = None) -> pd.DataFrame:
        """Monetised benefits (all, or of one pilot): ``pilot_id, benefit_item, amount_eur, note``.

        The columns of the ``benefits`` demo dataset plus ``note``; ordered as :meth:`costs`.
        """
        return self._money_frame(PilotBenefit, "benefit_item", pilot)

    def _money_frame(
        self, model: type[PilotCost | PilotBenefit], item: str, pilot: str | None
    ) -> pd.DataFrame:
        stmt = select(
            model.pilot_id, model.item.label(item), model.amount_eur, model.note
        ).order_by(model.pilot_id, model.id)
        if pilot is not None:
            stmt = stmt.where(model.pilot_id == pilot)
        columns = {"pilot_id": "str", item: "str", "amount_eur": "float64", "note": "str"}
        return _frame(columns, self._select_rows(stmt))

    def indicators(self, pilot: str | None = None) -> pd.DataFrame:
        """Kirkpatrick indicators (all, or of one pilot): ``pilot_id, level, indicator, value,
        unit`` (the columns of the ``indicators`` demo dataset), by pilot and level."""
        model = KirkpatrickIndicator
        stmt = select(
            model.pilot_id, model.level, model.indicator, model.value, model.unit
        ).order_by(model.pilot_id, model.level, model.id)
        if pilot is not None:
            stmt = stmt.where(model.pilot_id == pilot)
        columns = {
            "pilot_id": "str",
            "level": "int64",
            "indicator": "str",
            "value": "float64",
            "unit": "str",
        }
        return _frame(columns, self._select_rows(stmt))

    def format_plans(self, company: str | None = None) -> pd.DataFrame:
        """Planned learning formats (all, or of one company): ``company_id, participant,
        format, sessions, minutes_per_session`` (the columns of the ``format_plan`` demo
        dataset), by company, then in the order they were added."""
        stmt = select(
            FormatPlan.company_id,
            FormatPlan.participant,
            FormatPlan.format,
            FormatPlan.sessions,
            FormatPlan.minutes_per_session,
        ).order_by(FormatPlan.company_id, FormatPlan.id)
        if company is not None:
            stmt = stmt.where(FormatPlan.company_id == company)
        columns = {
            "company_id": "str",
            "participant": "str",
            "format": "str",
            "sessions": "int64",
            "minutes_per_session": "int64",
        }
        return _frame(columns, self._select_rows(stmt))

    def remove_evaluation_rows(self, kind: str, owners: Iterable[str]) -> int:
        """Delete the ``kind`` rows of some pilots (companies, for formats); return how many.

        ``kind`` is ``"costs"``, ``"benefits"``, ``"indicators"`` (``owners`` are
        pilot ids) or ``"format_plans"`` (``owners`` are company ids). For a
        corrected import (``transferkit db import --replace``): an item left out
        of the new file must not stay in the ROI.

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden")
        ...     _ = store.add_cost("P01", "facilitation", 7200)
        ...     store.remove_evaluation_rows("costs", ["P01"]), len(store.costs())
        (1, 0)
        """
        tables: dict[str, InstrumentedAttribute[str]] = {
            "costs": PilotCost.pilot_id,
            "benefits": PilotBenefit.pilot_id,
            "indicators": KirkpatrickIndicator.pilot_id,
            "format_plans": FormatPlan.company_id,
        }
        if kind not in tables:
            msg = f"Unknown kind of evaluation data {kind!r}; use one of {', '.join(tables)}"
            raise StoreError(msg)
        column = tables[kind]
        ids = sorted({str(owner) for owner in owners})

        def work(session: Session) -> int:
            result = session.execute(delete(column.class_).where(column.in_(ids)))
            return int(getattr(result, "rowcount", 0) or 0)

        return self._run(work, write=True) if ids else 0

    # ------------------------------------------------------------ tables as DataFrames

    def _select_rows(self, stmt: Executable) -> list[Row]:
        def work(session: Session) -> list[Row]:
            return [dict(row._mapping) for row in session.execute(stmt)]

        return self._run(work, write=False)

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
        return _frame(columns, self._select_rows(stmt))

    def networks(self) -> pd.DataFrame:
        """Networks: ``network_id, name, region``."""
        stmt = select(Network.id.label("network_id"), Network.name, Network.region)
        columns = {"network_id": "str", "name": "str", "region": "str"}
        return _frame(columns, self._select_rows(stmt.order_by(Network.id)))

    def companies(self) -> pd.DataFrame:
        """Companies with size class, sector, region, network and ``;``-joined roles."""
        stmt = select(
            Company.id.label("company_id"),
            Company.name,
            Company.size_class,
            Company.employees,
            Company.sector,
            Company.region,
            Company.network_id.label("network"),
        ).order_by(Company.id)
        rows = self._select_rows(stmt)
        roles: dict[str, list[str]] = {}
        for row in self._select_rows(select(CompanyRole.company_id, CompanyRole.role)):
            roles.setdefault(row["company_id"], []).append(row["role"])
        for row in rows:
            mine = roles.get(row["company_id"], [])
            row["roles"] = ";".join(r for r in ROLES if r in mine)
        columns = {
            "company_id": "str",
            "name": "str",
            "size_class": "str",
            "employees": "Int64",
            "sector": "str",
            "region": "str",
            "network": "str",
            "roles": "str",
        }
        return _frame(columns, rows)

    def pilot_loops(self, pilot_id: str) -> int | None:
        """The planned number of loops of a pilot (``None`` if not planned).

        Raises :class:`StoreError` naming the known pilots if ``pilot_id`` is not
        in the store. Light (no pandas): the web sheet checks every link with it.
        """
        rows = self._select_rows(select(Pilot.id, Pilot.loops).where(Pilot.id == pilot_id))
        if not rows:
            known = [r["id"] for r in self._select_rows(select(Pilot.id).order_by(Pilot.id).limit(20))]
            msg = (
                f"unknown pilot {pilot_id!r}; known: {', '.join(known) or 'none yet'}"
            )
            raise StoreError(msg)
        loops = rows[0]["loops"]
        return None if loops is None else int(loops)

    def pilots(self) -> pd.DataFrame:
        """Pilot projects with ``;``-joined company ids, start, end, planned loops, and
        the hourly rate (``float64``, NaN when not set) with its ``currency``."""
        stmt = select(
            Pilot.id.label("pilot_id"),
            Pilot.network_id.label("network"),
            Pilot.title_de,
            Pilot.title_en,
            Pilot.topic,
            Pilot.start,
            Pilot.end,
            Pilot.loops,
            Pilot.hourly_rate,
            Pilot.currency,
        ).order_by(Pilot.id)
        rows = self._select_rows(stmt)
        members: dict[str, list[str]] = {}
        link = select(pilot_companies.c.pilot_id, pilot_companies.c.company_id)
        for row in self._select_rows(link.order_by(pilot_companies.c.company_id)):
            members.setdefault(row["pilot_id"], []).append(row["company_id"])
        for row in rows:
            row["companies"] = ";".join(members.get(row["pilot_id"], []))
        columns = {
            "pilot_id": "str",
            "network": "str",
            "title_de": "str",
            "title_en": "str",
            "topic": "str",
            "companies": "str",
            "start": "datetime64[s]",
            "end": "datetime64[s]",
            "loops": "Int64",
            "hourly_rate": "float64",
            "currency": "str",
        }
        return _frame(columns, rows)

    def participants(self) -> pd.DataFrame:
        """Participant codes with company, pilot and number of stored responses."""
        counts = (
            select(Response.participant, func.count().label("n"))
            .group_by(Response.participant)
            .subquery()
        )
        stmt = (
            select(
                Participant.code.label("participant"),
                Participant.company_id,
                Participant.pilot_id,
                Participant.registered_at,
                func.coalesce(counts.c.n, 0).label("responses"),
            )
            .outerjoin(counts, counts.c.participant == Participant.code)
            .order_by(Participant.code)
        )
        columns = {
            "participant": "str",
            "company_id": "str",
            "pilot_id": "str",
            "registered_at": "datetime64[us, UTC]",
            "responses": "int64",
        }
        return _frame(columns, self._select_rows(stmt))

    def info(self) -> StoreInfo:
        """URL (password masked), backend, schema version and row counts per table."""
        tables = {
            "networks": Network,
            "companies": Company,
            "pilots": Pilot,
            "participants": Participant,
            "responses": Response,
            "action_items": ActionItem,
            "loop_closings": LoopClosing,
            "costs": PilotCost,
            "benefits": PilotBenefit,
            "indicators": KirkpatrickIndicator,
            "format_plans": FormatPlan,
        }

        def work(session: Session) -> tuple[dict[str, int], int | None]:
            counts = {
                name: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in tables.items()
            }
            version = session.scalar(select(SchemaVersion.version))
            return counts, version

        counts, version = self._run(work, write=False)
        return {
            "url": mask_url(self.url),
            "backend": self.backend,
            "counts": counts,
            "schema_version": version,
        }
