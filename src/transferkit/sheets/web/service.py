"""What the web sheet's pages and API do, without HTTP: one object per server process.

:class:`SheetService` holds the process's one :class:`~transferkit.store.Store`
and one :class:`~transferkit.store.drafts.DraftStore` (opened on first use), a cache
of :class:`~transferkit.sheets.session.SheetSession` objects per link (a
template is parsed once, not per visitor; a custom template file is read again
once it is edited) with their rendered page, and the
small thread pool in which the tornado handlers run its (synchronous,
SQLAlchemy) methods. Every answer goes through ``SheetSession``: the same
validation, drafts and idempotent submit as the ipywidgets sheet.

Each API method takes the decoded JSON body and returns an :class:`ApiResult`
(HTTP status and JSON payload); none raises for a participant's mistake.

Examples
--------
>>> service = SheetService("sqlite://")
>>> result = service.open({"query": "sheet=training_feedback", "code": "k7m4qx"})
>>> result.status, result.payload["code"], result.payload["submitted"]
(200, 'K7M4QX', False)
>>> service.open({"query": "sheet=training_feedback", "code": "Max Mustermann"}).status
400
>>> service.close()
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.exc import SQLAlchemyError

from transferkit.exceptions import (
    AnswerProblem,
    AnswerValidationError,
    ParameterError,
    QuotaError,
    SheetAlreadySentError,
    StoreError,
    StoreFullError,
    TransferkitError,
)
from transferkit.i18n import LANGUAGES, in_lang, text
from transferkit.sheets.query import parse_query
from transferkit.sheets.session import SheetSession, check_code, open_session, template_file_stamp
from transferkit.sheets.web.render import error_page, page_skeleton, render_page
from transferkit.store.drafts import DraftStore, default_store_url

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.values import JSONValue

__all__ = [
    "MAX_DRAFT_CHARS",
    "MAX_LOOP",
    "ApiResult",
    "SheetService",
    "is_storage_full",
    "split_code",
]

#: Largest draft (characters of its JSON); a whole sheet is far smaller.
MAX_DRAFT_CHARS = 32 * 1024
#: Highest loop number a link may name when the pilot plans no number of loops.
MAX_LOOP = 99

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True)
class ApiResult:
    """An API answer: HTTP status and the JSON payload."""

    status: int
    payload: dict[str, JSONValue] = field(default_factory=dict)


def split_code(query: str) -> tuple[str, str | None]:
    """The link's query without ``code`` (and ``token``), and the ``code`` given, if any.

    >>> split_code("?sheet=x&code=K7M4QX&token=s3cret")
    ('sheet=x', 'K7M4QX')
    """
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
    codes = [v for k, v in pairs if k == "code"]
    rest = [(k, v) for k, v in pairs if k not in ("code", "token")]
    return urlencode(rest), (codes[-1] if codes else None)


def query_lang(query: object) -> str:
    try:
        return parse_query(query if isinstance(query, str) else "").lang
    except ParameterError:
        return "de"


def _bad_request(lang: str, problem: str, **values: object) -> ApiResult:
    """The 400 answer; ``problem`` names a ``sheet.bad_request_<problem>`` text."""
    parts = [
        text(
            "sheet.bad_request", each, problem=text(f"sheet.bad_request_{problem}", each, **values)
        )
        for each in LANGUAGES
    ]
    return ApiResult(
        400, {"ok": False, "error": " / ".join(parts), "message": parts[LANGUAGES.index(lang)]}
    )


def _problems(error: AnswerValidationError, lang: str) -> ApiResult:
    """The 422 answer listing the problems of a sheet or draft."""
    problems = [
        {
            "question_id": p.question_id,
            "code": p.code,
            "message_de": p.message_de,
            "message_en": p.message_en,
        }
        for p in error.problems
    ]
    summary = text("sheet.summary", lang, n=len(problems))
    return ApiResult(422, {"ok": False, "problems": problems, "summary": summary})


def is_storage_full(error: BaseException) -> bool:
    """Whether a database error means the store takes no writes (disk full, read-only).

    SQLite says "database or disk is full" / "attempt to write a readonly
    database"; PostgreSQL has SQLSTATE 53100 (disk full) and 25006 (read-only).
    """
    orig = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) in {"53100", "25006"}:
        return True
    message = str(orig).lower()
    return "disk is full" in message or "readonly database" in message or "read-only" in message


class SheetService:
    """The web sheet of one server process: store, drafts, sessions per link, thread pool.

    ``store`` / ``drafts`` may be given (tests); otherwise ``Store(store_url)``
    is opened on first use (``store_url`` default: ``$TRANSFERKIT_DB`` or
    ``data/transferkit.db``, as :func:`transferkit.store.drafts.default_store_url`).
    """

    def __init__(
        self,
        store_url: str | None = None,
        *,
        store: Store | None = None,
        drafts: DraftStore | None = None,
        workers: int = 4,
        max_links: int = 256,
    ) -> None:
        self.store_url = store_url or default_store_url()
        self._store = store
        self._drafts = drafts
        self._lock = threading.Lock()
        self._write_lock: threading.Lock | None = None
        self._links: OrderedDict[str, tuple[SheetSession, list[str]]] = OrderedDict()
        self.max_links = max_links
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="websheet")

    # ------------------------------------------------------------ resources
    @property
    def store(self) -> Store:
        """The response store (opened on first use)."""
        self._open()
        return cast("Store", self._store)

    @property
    def drafts(self) -> DraftStore:
        """The draft store in the same database (opened on first use)."""
        self._open()
        return cast(DraftStore, self._drafts)

    def _open(self) -> None:
        if self._store is not None and self._drafts is not None:
            return
        with self._lock:
            if self._store is None:
                from transferkit.store import Store

                self._store = Store(self.store_url)
            if self._drafts is None:
                self._drafts = DraftStore.for_store(self._store)
            if getattr(self._store, "backend", "") == "sqlite":
                # SQLite writes one transaction at a time anyway; inside this process
                # they queue here instead of failing as "database is locked".
                self._write_lock = threading.Lock()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        lock = self._write_lock
        if lock is None:
            yield
            return
        with lock:
            yield

    def _write(self, work: Callable[[], _T]) -> _T:
        from transferkit.store.engine import with_retry

        with self._writing():
            try:
                return with_retry(work)
            except SQLAlchemyError as error:
                if is_storage_full(error):
                    msg = (
                        f"the store cannot take writes: {str(getattr(error, 'orig', error))[:200]}"
                    )
                    log.error(
                        "transferkit: THE STORE TAKES NO MORE ANSWERS (%s). Free disk space or "
                        "make the database writable; participants' answers wait in their pages.",
                        msg,
                    )
                    raise StoreFullError(msg) from error
                raise

    def write(self, work: Callable[[], _T]) -> _T:
        """``work()`` as one write: queued behind this process's other writes (SQLite),
        retried while the database is busy, :class:`StoreFullError` when it takes no writes."""
        return self._write(work)

    def unavailable(self, lang: str, error: BaseException) -> ApiResult:
        """The answer (503/507/429) when the store failed, in ``lang`` (and both languages)."""
        return self._unavailable(lang, error)

    def warm_up(self) -> None:
        """Open the store and parse the built-in templates before the first participant arrives.

        Problems are logged, not raised: the first request then reports them.
        """
        try:
            self._open()
            for module in (
                "transferkit.sheets.feedback",
                "transferkit.privacy",
            ):  # not on a request
                importlib.import_module(module)
            from transferkit.templates import list_templates, load_template

            for name in list_templates():
                load_template(name)
        except Exception:  # a broken store shows on the first request, with a clear message
            log.exception("web sheet: warm-up failed")

    def close(self) -> None:
        """Stop the thread pool and close the store's connections."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self._store is not None and hasattr(self._store, "close"):
            self._store.close()

    # ------------------------------------------------------------ links
    def session(self, query: str) -> SheetSession:
        """The session of a link (cached; ``code`` and ``token`` are not part of the link).

        Raises :class:`ParameterError` / :class:`~transferkit.exceptions.TemplateError`
        for a broken link, :class:`StoreError` if the store cannot be opened.
        """
        return self._link(query)[0]

    def _link(self, query: str) -> tuple[SheetSession, list[str]]:
        request = parse_query(split_code(query)[0]).with_(code=None)
        # A custom template file edited during the workshop is read again (new stamp, new key).
        key = request.query() + "#" + template_file_stamp(request.template)
        with self._lock:
            hit = self._links.get(key)
            if hit is not None:
                self._links.move_to_end(key)
                return hit
        link = open_session(
            request.query(), store=None
        )  # a broken link fails before the store opens
        self._check_pilot(request.pilot, request.loop, request.lang)
        session = SheetSession(
            link.full_template, link.request, store=self.store, drafts=self.drafts
        )
        entry: tuple[SheetSession, list[str]] = (session, [])
        with self._lock:
            self._links[key] = entry
            while len(self._links) > self.max_links:
                self._links.popitem(last=False)
        return entry

    def _check_pilot(self, pilot: str | None, loop: int | None, lang: str) -> None:
        """Raise :class:`ParameterError` (a permanent 400) for an unknown pilot or unplanned loop."""
        if pilot is None:
            if loop is not None and not 1 <= loop <= MAX_LOOP:
                raise ParameterError(
                    text("sheet.loop_out_of_range", lang, loop=loop, pilot="–", loops=MAX_LOOP)
                )
            return
        try:
            planned = self.store.pilot_loops(pilot)
        except StoreError as error:
            if "unknown pilot" not in str(error):
                raise
            raise ParameterError(text("sheet.unknown_pilot", lang, pilot=pilot)) from None
        limit = planned or MAX_LOOP
        if loop is not None and not 1 <= loop <= limit:
            raise ParameterError(
                text("sheet.loop_out_of_range", lang, loop=loop, pilot=pilot, loops=limit)
            )

    # ------------------------------------------------------------ page
    def page(self, query: str, api: str) -> tuple[int, str]:
        """``(status, html)`` of the sheet page for a link (a friendly error page if broken)."""
        lang = query_lang(query)
        try:
            session, cache = self._link(query)
        except StoreError as error:
            log.exception("web sheet: store not available")
            return 503, error_page(text("sheet.store_unavailable", lang) + "\n" + str(error), lang)
        except TransferkitError as error:
            return 400, error_page(str(error), lang)
        # A code in the link is ignored: codes never travel in URLs (browser history,
        # shared tablets, server logs); the participant types it on the page.
        if not cache:
            cache.append(page_skeleton(session))
        return 200, render_page(session, api=api, code=None, code_error="", skeleton=cache[0])

    # ------------------------------------------------------------ API
    def _begin(
        self, body: JSONValue, *, answers: bool = False
    ) -> tuple[SheetSession, str, str] | ApiResult:
        """Session, checked code and language from a request body, or the 400 result."""
        if not isinstance(body, dict):
            return _bad_request("de", "not_object")
        query = body.get("query")
        lang = query_lang(query)
        missing = [k for k in ("query", "code", *(["answers"] if answers else [])) if k not in body]
        if missing:
            return _bad_request(lang, "missing", missing=", ".join(missing))
        if not isinstance(query, str) or not isinstance(body["code"], str):
            return _bad_request(lang, "not_strings")
        try:
            session = self.session(query)
        except StoreError as error:
            log.exception("web sheet: store not available")
            return self._unavailable(lang, error)
        except TransferkitError as error:
            return ApiResult(
                400, {"ok": False, "error": str(error), "message": in_lang(str(error), lang)}
            )
        try:
            code = check_code(body["code"])
        except ParameterError as error:
            message = in_lang(str(error), lang)
            return ApiResult(400, {"ok": False, "error": str(error), "message": message})
        return session, code, lang

    @staticmethod
    def _unavailable(lang: str, error: BaseException) -> ApiResult:
        if isinstance(error, StoreFullError):
            both = f"{text('sheet.store_full', 'de')} / {text('sheet.store_full', 'en')}"
            return ApiResult(
                507,
                {
                    "ok": False,
                    "error": both,
                    "message": text("sheet.store_full", lang),
                    "retry": False,
                },
            )
        if isinstance(error, QuotaError):
            log.warning("web sheet: draft refused: %s", error)
            both = f"{text('sheet.quota', 'de')} / {text('sheet.quota', 'en')}"
            return ApiResult(
                429,
                {"ok": False, "error": both, "message": text("sheet.quota", lang), "retry": False},
            )
        error_text = (
            f"{text('sheet.store_unavailable', 'de')} / {text('sheet.store_unavailable', 'en')}"
        )
        log.warning("web sheet: store failed: %s", error)
        return ApiResult(
            503,
            {"ok": False, "error": error_text, "message": text("sheet.store_unavailable", lang)},
        )

    def new_code(self) -> ApiResult:
        """A fresh random participant code."""
        from transferkit.privacy import new_participant_code

        return ApiResult(200, {"code": new_participant_code()})

    def open(self, body: JSONValue) -> ApiResult:
        """Start (or continue) a participant's sheet: their draft, and whether it was submitted."""
        begun = self._begin(body)
        if isinstance(begun, ApiResult):
            return begun
        session, code, lang = begun
        try:  # GAS goals sent before: the follow-up sheet, or "all sent"
            second = self._gas_step(session, code, lang)
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        if second is not None:
            return ApiResult(200, second)
        try:
            draft = self._write(lambda: session.open(code))
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        sent = bool(draft is not None and draft.submitted)
        payload: dict[str, JSONValue] = {
            "ok": True,
            "code": code,
            "answers": dict(draft.answers) if draft is not None and not sent else {},
            "submitted": sent,
            "response_id": None,
        }
        if sent:  # nothing of what was sent: the code may be known to others
            payload["message"] = text("sheet.already_sent", lang)
            payload["feedback_html"] = ""
        else:
            try:
                companies = self._companies_to_offer(session, code)
            except (StoreError, SQLAlchemyError, OSError) as error:
                return self._unavailable(lang, error)
            payload["companies"] = [[i, name] for i, name in companies]
            payload["ask_company"] = len(companies) > 1
        return ApiResult(200, payload)

    def _companies_to_offer(self, session: SheetSession, code: str) -> list[tuple[str, str]]:
        """The pilot's companies a participant without a company picks from (none: nothing to ask).

        Nothing is asked when the link names the company or the participant has one; a pilot
        with a single company gets it without asking.
        """
        pilot = session.request.pilot
        if pilot is None or session.request.company is not None:
            return []
        if self.store.participant_company(code) is not None:
            return []
        names: list[tuple[str, str]] = self.store.pilot_company_names(pilot)
        return names

    def _company_for(self, session: SheetSession, code: str, given: object) -> str | None:
        """The company a submit records, or :class:`AnswerValidationError` if one must be chosen."""
        offered = self._companies_to_offer(session, code)
        if not offered:
            return None
        if len(offered) == 1:
            return offered[0][0]
        if given in (None, ""):
            problem = AnswerProblem(
                "company",
                "company_missing",
                text("sheet.company_missing", "de"),
                text("sheet.company_missing", "en"),
            )
        elif given not in {i for i, _name in offered}:
            problem = AnswerProblem(
                "company",
                "company_unknown",
                text("sheet.company_unknown", "de"),
                text("sheet.company_unknown", "en"),
            )
        else:
            return str(given)
        raise AnswerValidationError(session.template.id, [problem])

    def draft(self, body: JSONValue) -> ApiResult:
        """Save the answers so far (not validated)."""
        begun = self._begin(body, answers=True)
        if isinstance(begun, ApiResult):
            return begun
        session, code, lang = begun
        answers = body["answers"]
        if not isinstance(answers, dict):
            return _bad_request(lang, "answers")
        if len(json.dumps(answers, ensure_ascii=False)) > MAX_DRAFT_CHARS:
            return ApiResult(
                413,
                {
                    "ok": False,
                    "error": text("sheet.draft_too_large", "en"),
                    "message": text("sheet.draft_too_large", lang),
                },
            )
        try:
            self._write(lambda: session.save_draft(code, answers))
        except AnswerValidationError as error:
            return _problems(error, lang)
        except SheetAlreadySentError:
            return ApiResult(
                409,
                {
                    "ok": False,
                    "error": text("sheet.already_sent", "en"),
                    "message": text("sheet.already_sent", lang),
                    "submitted": True,
                },
            )
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        return ApiResult(200, {"ok": True})

    def submit(self, body: JSONValue) -> ApiResult:
        """Validate and store the sheet once; problems (422) or the store failing (503) otherwise."""
        begun = self._begin(body, answers=True)
        if isinstance(begun, ApiResult):
            return begun
        session, code, lang = begun
        answers = body["answers"]
        kept = body.get("draft_answers")
        kept = kept if isinstance(kept, dict) else (answers if isinstance(answers, dict) else None)
        try:  # GAS goals sent before (here or on paper): no second start sheet
            second = self._gas_step(session, code, lang)
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        if second is not None:
            message = second.get("message") or text("gas.goals_sent", lang)
            return ApiResult(
                200,
                {
                    "ok": True,
                    "response_id": None,
                    "again": True,
                    "message": message,
                    "feedback_html": "",
                },
            )
        try:
            self._check_ideas(session, answers)
            company = self._company_for(session, code, body.get("company"))
            result = self._write(
                lambda: session.submit(code, answers, draft_answers=kept, company=company)
            )
        except AnswerValidationError as error:
            if kept is not None:  # not stored, but nothing typed so far is lost either
                try:
                    self._write(lambda: session.save_draft(code, kept))
                except (AnswerValidationError, SheetAlreadySentError):
                    pass  # a draft of the wrong shape is not kept; the page still has it
                except (StoreError, SQLAlchemyError, OSError):
                    log.warning("web sheet: draft not saved after an invalid submit")
            return _problems(error, lang)
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        if result.again:  # a repeat shows nothing of what was sent the first time
            return ApiResult(
                200,
                {
                    "ok": True,
                    "response_id": result.response_id,
                    "again": True,
                    "message": text("sheet.already_sent", lang),
                    "feedback_html": "",
                },
            )
        return ApiResult(
            200,
            {
                "ok": True,
                "response_id": result.response_id,
                "again": result.again,
                "message": self._confirmation(result.response_id, again=result.again, lang=lang)
                + self._gas_hint(session, lang),
                "feedback_html": self._feedback(session, answers, lang),
            },
        )

    # ------------------------------------------------------------ GAS follow-up
    def _gas_step(self, session: SheetSession, code: str, lang: str) -> dict[str, JSONValue] | None:
        """What ``open`` answers once a participant's GAS goals are stored (else ``None``).

        Goals waiting for their rating: the follow-up sheet
        (:mod:`transferkit.sheets.gas_followup`); all rated: sent, nothing shown.
        """
        from transferkit.sheets.gas_followup import follow_up_html, follow_up_state

        state = follow_up_state(self.store, session, code)
        if state is None:
            return None
        payload: dict[str, JSONValue] = {"ok": True, "code": code, "answers": {}}
        if state.done:
            payload.update(submitted=True, response_id=None, feedback_html="")
            payload["message"] = text("gas.all_rated", lang)
            return payload
        payload.update(submitted=False, follow_up=True, companies=[], ask_company=False)
        payload["follow_up_html"] = follow_up_html(state, session)
        return payload

    @staticmethod
    def _gas_hint(session: SheetSession, lang: str) -> str:
        """After the start of a two-step GAS sheet: how to give the follow-up later."""
        from transferkit.sheets.gas_followup import gas_question_ids

        return " " + text("gas.follow_up_hint", lang) if gas_question_ids(session) else ""

    def follow_up(self, body: JSONValue) -> ApiResult:
        """Store the follow-up levels of a participant's GAS goals (``{"query", "code", "ratings"}``)."""
        from transferkit.sheets.gas_followup import submit_follow_up

        begun = self._begin(body)
        if isinstance(begun, ApiResult):
            return begun
        session, code, lang = begun
        ratings = cast("dict[str, JSONValue]", body).get("ratings")
        try:
            result = self._write(lambda: submit_follow_up(self.store, session, code, ratings))
        except AnswerValidationError as error:
            return _problems(error, lang)
        except SheetAlreadySentError as error:
            message = in_lang(str(error), lang)
            return ApiResult(409, {"ok": False, "error": str(error), "message": message})
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        message = text("gas.follow_up_saved", lang, n=result.response_id)
        if result.again:
            message += " " + text("gas.follow_up_again", lang)
        return ApiResult(
            200,
            {
                "ok": True,
                "response_id": result.response_id,
                "again": result.again,
                "message": message,
                "feedback_html": "",
            },
        )

    def _check_ideas(self, session: SheetSession, answers: JSONValue) -> None:
        """Raise :class:`AnswerValidationError` for dot-vote points on ideas that do not exist."""
        if not isinstance(answers, dict):
            return
        votes = [
            q
            for q in session.template.all_questions(session.phase)
            if q.type == "dot_vote"
            and getattr(q, "source", None) == "ideas"
            and isinstance(answers.get(q.id), dict)
        ]
        if not votes:
            return
        from transferkit.sheets.ideas import ideas_provider_for

        provider = ideas_provider_for(self.store, session.full_template, session.request)
        known = {str(i) for i, _text in provider(None)} if provider is not None else set()
        problems = [
            AnswerProblem(
                q.id,
                "invalid_idea",
                "Diese Idee gibt es nicht (mehr); bitte die Liste neu laden.",
                "This idea does not exist (any more); please reload the list.",
            )
            for q in votes
            if any(str(key) not in known for key in answers[q.id])
        ]
        if problems:
            raise AnswerValidationError(session.template.id, problems)

    def ideas(self, query: str) -> ApiResult:
        """``{"ideas": [[id, text], ...]}``: the ideas collected so far for a dot vote on ideas."""
        lang = query_lang(query)
        try:
            session = self.session(query)
        except StoreError as error:
            return self._unavailable(lang, error)
        except TransferkitError as error:
            return ApiResult(
                400, {"ok": False, "error": str(error), "message": in_lang(str(error), lang)}
            )
        from transferkit.sheets.ideas import ideas_provider_for

        provider = ideas_provider_for(self.store, session.full_template, session.request)
        try:
            ideas = list(provider(None)) if provider is not None else []
        except (StoreError, SQLAlchemyError, OSError) as error:
            return self._unavailable(lang, error)
        return ApiResult(200, {"ideas": [[str(i), str(t)] for i, t in ideas]})

    # ------------------------------------------------------------ texts
    @staticmethod
    def _confirmation(response_id: int, *, again: bool, lang: str) -> str:
        message = text("sheet.confirm", lang, n=response_id)
        return message + (" " + text("sheet.confirm_again", lang) if again else "")

    def _feedback(self, session: SheetSession, answers: JSONValue, lang: str) -> str:
        """The feedback as HTML for the answers (cleaned if they validate); ``""`` if none."""
        from transferkit.sheets.feedback import feedback_content, feedback_html
        from transferkit.sheets.ideas import ideas_provider_for

        try:
            try:
                shown = session.validate(answers)
            except AnswerValidationError:
                shown = dict(answers) if isinstance(answers, dict) else {}
            provider = ideas_provider_for(self.store, session.full_template, session.request)
            ideas = dict(provider(None)) if provider is not None else None
            content = feedback_content(
                session.template, shown, phase=session.phase, lang=lang, idea_texts=ideas
            )
            return feedback_html(content) if content is not None else ""
        except Exception:  # feedback is a bonus; never break the confirmation
            log.exception("web sheet: feedback failed")
            return ""
