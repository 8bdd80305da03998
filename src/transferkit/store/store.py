"""The response store: pilots, companies, participants, responses, action items, closed
loops, and the evaluation data of pilots (costs, benefits, Kirkpatrick indicators,
planned learning formats).

:class:`Store` is the facade: it opens the database (engine, schema creation and
migration), runs ``bulk()`` transactions, reports ``info()`` and closes. Its methods come
from the parts: :mod:`~transferkit.store.registry`, :mod:`~transferkit.store.responses`,
:mod:`~transferkit.store.loops`, :mod:`~transferkit.store.evaluation_data` and
:mod:`~transferkit.store.export`, on the shared machinery of :mod:`~transferkit.store.base`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self, TypedDict

from sqlalchemy import func, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from transferkit.exceptions import StoreError
from transferkit.store.base import QuestionLike, StoreBase, TemplateLike
from transferkit.store.engine import (
    WRITE_OPTION,
    make_store_engine,
    mask_url,
    resolve_url,
    with_retry,
)
from transferkit.store.evaluation_data import EvaluationDataMixin
from transferkit.store.export import ExportMixin
from transferkit.store.loops import LoopsMixin
from transferkit.store.migrations import migrate
from transferkit.store.registry import RegistryMixin
from transferkit.store.responses import RESPONSE_COLUMNS, ResponsesMixin
from transferkit.store.schema import (
    SCHEMA_VERSION,
    ActionItem,
    Base,
    Company,
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
)

__all__ = ["RESPONSE_COLUMNS", "QuestionLike", "Store", "StoreInfo", "TemplateLike"]

_PG_LOCK_ID = 7_465_720_131  # advisory lock serialising schema creation on PostgreSQL


class StoreInfo(TypedDict):
    """What :meth:`Store.info` reports."""

    url: str
    backend: str
    counts: dict[str, int]
    schema_version: int | None


# ---------------------------------------------------------------- the store


class Store(ExportMixin, LoopsMixin, RegistryMixin, ResponsesMixin, EvaluationDataMixin, StoreBase):
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

    # ------------------------------------------------------------ summary

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
