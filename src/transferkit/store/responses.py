"""Responses: storing filled-in sheets (with the insert-ignore SQL that makes a
repeated submit harmless), reading them as a tidy table, and erasing a participant.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Executable, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from transferkit.exceptions import StoreError, TransferkitError
from transferkit.store.base import StoreBase, TemplateLike, as_template, table_frame
from transferkit.store.checks import (
    MAX_CODE,
    MAX_ID,
    check_code,
    check_int,
    optional_text,
    text_id,
    utc_datetime,
)
from transferkit.store.drafts import drafts_table
from transferkit.store.schema import (
    ActionItem,
    Company,
    FormatPlan,
    Participant,
    Pilot,
    Response,
    pilot_companies,
)
from transferkit.store.values import Answers, JSONValue, Row
from transferkit.store.votes import ballots_table

__all__ = ["RESPONSE_COLUMNS", "ResponsesMixin"]

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


class ResponsesMixin(StoreBase):
    """Submitting, reading and erasing responses (part of :class:`~transferkit.store.store.Store`)."""

    # ------------------------------------------------------------ the insert-ignore SQL

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
        company: str | None = None,
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
        participant that looks like a real name is refused. ``company`` (a
        company of the pilot, if the pilot names companies) is recorded for a
        participant who has none yet, so the answers count in that company's
        reports; a participant's company, once known, is kept. Naive
        ``submitted_at`` values are taken as UTC.
        """
        tpl = as_template(template)
        phase = optional_text(phase, "phase", MAX_ID)
        cleaned = tpl.validate(answers, phase=phase)
        try:
            json.dumps(cleaned, allow_nan=False)
        except (TypeError, ValueError) as exc:
            msg = f"The cleaned answers of template {tpl.id!r} cannot be stored as JSON: {exc}"
            raise StoreError(msg) from None
        pilot = optional_text(pilot, "pilot id", MAX_ID)
        code = None if participant is None else check_code(participant)
        company = optional_text(company, "company id", MAX_ID)
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
            if company is not None:
                self._check_company_of_pilot(session, company, pilot)
            if code is not None:
                registration = {
                    "code": code,
                    "pilot_id": pilot,
                    "company_id": company,
                    "registered_at": now,
                }
                self._insert_ignore(conn, "participant", registration)
                if company is not None:  # a code registered before without its company
                    conn.execute(
                        update(Participant)
                        .where(Participant.code == code, Participant.company_id.is_(None))
                        .values(company_id=company)
                    )
            stored = self._insert_ignore(conn, "response", values)
            if stored is None:  # stored before (maybe just now by a concurrent writer)
                stored = conn.scalar(self._sql["find"], {"sid": sid})
            if stored is None:  # pragma: no cover - only if the row vanished at once
                msg = f"Submission {sid!r} was not stored; please submit again"
                raise StoreError(msg)
            return int(stored)

        return self._run(work, write=True)

    def _check_company_of_pilot(self, session: Session, company: str, pilot: str | None) -> None:
        """Raise :class:`StoreError` unless ``company`` exists and takes part in ``pilot``."""
        self._require(
            session,
            Company,
            company,
            "company",
            "Add it with `transferkit company add` (or store.add_company).",
        )
        if pilot is None:
            return
        ids = session.scalars(
            select(pilot_companies.c.company_id).where(pilot_companies.c.pilot_id == pilot)
        ).all()
        if ids and company not in ids:
            msg = (
                f"company {company!r} does not take part in pilot {pilot!r} "
                f"(its companies: {', '.join(sorted(ids))})"
            )
            raise StoreError(msg)

    def _response_template(
        self, template: TemplateLike | str | None
    ) -> tuple[str | None, TemplateLike | None]:
        if template is None:
            return None, None
        if not isinstance(template, str):
            return template.id, template
        try:
            loaded = as_template(template)
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
        meta = table_frame(
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

    # ------------------------------------------------------------ erasure (on request)

    def erase_participant(self, code: str) -> int:
        """Erase a participant and everything stored about them (on request).

        Removes their responses, their planned learning formats
        (``format_plans``), their half-filled sheet drafts, their ballots of live
        votes (``tk_vote_ballots``) and the participant
        row, and blanks the ``owner`` of action items that name the code.
        Returns the number of rows removed (responses + format plans + drafts
        + ballots + 1). On
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
            if inspect(session.connection()).has_table(ballots_table.name):
                gone_ballots = session.execute(
                    delete(ballots_table).where(ballots_table.c.participant == code)
                )
                drafts += int(gone_ballots.rowcount)  # type: ignore[attr-defined]
            if session.get(Participant, code) is None and drafts == 0:
                msg = f"No participant {code!r} in the store (already erased, or a typo?)"
                raise StoreError(msg)
            removed = session.execute(delete(Response).where(Response.participant == code))
            plans = session.execute(delete(FormatPlan).where(FormatPlan.participant == code))
            gone = session.execute(delete(Participant).where(Participant.code == code))
            session.execute(update(ActionItem).where(ActionItem.owner == code).values(owner=None))
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
