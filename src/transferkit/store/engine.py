"""Database URLs and engines: SQLite tuned for many writer processes, PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from transferkit.exceptions import StoreError

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "WRITE_OPTION",
    "is_retryable",
    "make_store_engine",
    "mask_url",
    "resolve_url",
    "with_retry",
]

#: Environment variable with the database URL.
ENV_VAR = "TRANSFERKIT_DB"
#: Default SQLite file, relative to the current working directory.
DEFAULT_PATH = Path("data") / "transferkit.db"
#: Execution option that marks a write transaction (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "transferkit_write"

_URL_HINT = (
    "write it like sqlite:///data/transferkit.db or "
    "postgresql://user:password@host:5432/dbname (see the TRANSFERKIT_DB variable)"
)
_T = TypeVar("_T")


def resolve_url(url: str | URL | None = None) -> URL:
    """Return the database URL to use.

    ``None`` means ``$TRANSFERKIT_DB`` if set, else the SQLite file
    ``data/transferkit.db`` below the current directory (``data/`` is
    created). ``postgresql://`` and ``postgres://`` are rewritten to use
    psycopg 3 (``postgresql+psycopg://``).

    >>> resolve_url("postgresql://u:secret@db.example.org/tk").drivername
    'postgresql+psycopg'
    """
    if url is None:
        url = os.environ.get(ENV_VAR) or None
    if url is None:
        path = DEFAULT_PATH.resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite", database=str(path))
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = f"Cannot read the database URL {url!r}: {exc}; {_URL_HINT}"
        raise StoreError(msg) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: URL) -> str:
    """The URL as text with the password replaced by ``***``.

    >>> mask_url(resolve_url("postgresql://u:secret@db/tk"))
    'postgresql+psycopg://u:***@db/tk'
    """
    return url.render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _on_sqlite_begin); pysqlite's own
    # transaction handling would start write transactions too late.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # erased answers are overwritten
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the write lock at BEGIN, where the busy
    # timeout applies; a deferred one upgrading later fails at once in WAL mode.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_store_engine(url: URL) -> Engine:
    """Create the engine for ``url`` with the store's connection settings.

    SQLite: WAL journal, 30 s busy timeout, foreign keys on,
    ``synchronous=NORMAL``, and ``BEGIN IMMEDIATE`` for write transactions
    (those run with the execution option :data:`WRITE_OPTION`).
    """
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {}  # create_engine's keyword arguments, of many types
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
        path = _sqlite_file(url)
        if path is not None and not path.parent.exists():
            msg = (
                f"Cannot open the SQLite database {path}: the folder {path.parent} does not "
                "exist; create it or choose another path"
            )
            raise StoreError(msg)
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except NoSuchModuleError:
        msg = (
            f"Unknown database type {url.drivername!r} in {mask_url(url)}: use sqlite:/// "
            "or postgresql:// (others need their SQLAlchemy driver installed)"
        )
        raise StoreError(msg) from None
    except (ArgumentError, ImportError, TypeError) as exc:
        msg = f"Cannot use the database URL {mask_url(url)}: {exc}; {_URL_HINT}"
        raise StoreError(msg) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed transaction may simply be run again.

    True for SQLite "database is locked/busy", PostgreSQL serialization
    failures and deadlocks, and lost connections.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in {"40001", "40P01"}:
        return True
    text = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def with_retry(
    work: Callable[[], _T], *, attempts: int = 8, base_delay: float = 0.05, max_delay: float = 2.0
) -> _T:
    """Run ``work()``; on a retryable database error run it again with backoff.

    The delay doubles from ``base_delay`` up to ``max_delay`` with random
    jitter; after ``attempts`` tries the last error is raised.
    """
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts - 1 or not is_retryable(exc):
                raise
            delay = min(max_delay, base_delay * 2**attempt)
            time.sleep(delay * (0.5 + random.random()))
    msg = "unreachable: with_retry ran out of attempts without an error"
    raise AssertionError(msg)
