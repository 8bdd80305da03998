"""A throw-away PostgreSQL database for tests.

:func:`temporary_database` finds a server (``$TRANSFERKIT_TEST_PG``, else the
local Unix socket as user ``postgres`` or as the current OS user), creates a
fresh database ``transferkit_test_<random>`` and drops it afterwards. Without
a reachable server it calls ``pytest.skip`` (which CI turns into a failure).

Use it from a fixture::

    @pytest.fixture(scope="session")
    def pg_url():
        with temporary_database() as url:
            yield url
"""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

__all__ = ["ENV_VAR", "SOCKET_DIR", "candidate_urls", "temporary_database"]

ENV_VAR = "TRANSFERKIT_TEST_PG"
SOCKET_DIR = "/var/run/postgresql"


def candidate_urls() -> list[URL]:
    """Server URLs to try, in order."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        url = make_url(configured)
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        return [url]
    users = ["postgres", getpass.getuser()]
    return [
        URL.create("postgresql+psycopg", username=user, database="postgres").update_query_dict(
            {"host": SOCKET_DIR}
        )
        for user in dict.fromkeys(users)
    ]


def _admin_url() -> URL:
    tried = []
    for url in candidate_urls():
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return url
        except SQLAlchemyError as exc:
            tried.append(f"{url.render_as_string(hide_password=True)} ({exc.orig})")
        finally:
            engine.dispose()
    pytest.skip(
        "PostgreSQL not reachable at "
        + "; ".join(tried)
        + f": set {ENV_VAR} or install postgresql (pg_ctlcluster 15 main start; "
        "runuser -u postgres -- createuser --superuser $(whoami))"
    )


@contextmanager
def temporary_database(prefix: str = "transferkit_test") -> Iterator[str]:
    """Create a fresh database; yield its URL (with password); drop it afterwards."""
    admin = _admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # tests check concurrency, not crash durability of the server: skip WAL flushes
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
