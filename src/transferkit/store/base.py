"""What every part of the store stands on: the transaction runner, lookups, table reads,
and the few things the store needs of templates.

:class:`StoreBase` declares the connection state that the facade
(:class:`~transferkit.store.store.Store`) sets up, and holds the machinery the parts
(registry, responses, loops, evaluation data, export) call: ``_run``, ``_require``,
``_select_rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlalchemy import Engine, Executable, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from transferkit.exceptions import StoreError
from transferkit.store.engine import mask_url, with_retry
from transferkit.store.schema import Company, Network, Pilot
from transferkit.store.values import Answers, Row

__all__ = ["QuestionLike", "StoreBase", "TemplateLike", "as_template", "table_frame"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd

_T = TypeVar("_T")


class QuestionLike(Protocol):
    """What the store needs of a question (``transferkit.templates.Question``)."""

    @property
    def id(self) -> str:
        """Question id."""
        ...


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


def as_template(template: TemplateLike | str) -> TemplateLike:
    """``template`` itself, or the built-in template of that name."""
    if not isinstance(template, str):
        return template
    # templates sit below the store (they import nothing of it); loaded on first use only
    from transferkit.templates import load_template

    loaded: TemplateLike = load_template(template)
    return loaded


def table_frame(columns: dict[str, str], rows: list[Row]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with exactly ``columns`` (name -> dtype), also when empty."""
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


class StoreBase:
    """Connection state and shared machinery of :class:`~transferkit.store.store.Store`."""

    url: URL
    backend: str
    engine: Engine
    _writer: Engine
    _bulk: Session | None
    _sql: dict[str, Executable]

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

    # ------------------------------------------------------------ lookups

    def _require(
        self,
        session: Session,
        model: type[Pilot | Network | Company],
        key: str,
        what: str,
        hint: str,
    ) -> None:
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

    def _select_rows(self, stmt: Executable) -> list[Row]:
        def work(session: Session) -> list[Row]:
            return [dict(row._mapping) for row in session.execute(stmt)]

        return self._run(work, write=False)
