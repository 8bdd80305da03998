"""One participant filling in one sheet, without any user interface.

The web sheet of ``transferkit serve`` (:mod:`transferkit.sheets.web`, the one
participant sheet) is this plus a page: which template a link asks for, the
participant code, drafts, the one-time submit, and which answers a sheet
sends (:func:`sent_answers`, the rule the page's script follows).

Submit is idempotent: the draft of a participant and sheet carries one
``submission_id``; the store inserts a response at most once per id, so a
double click, a reload or a repeated request never stores twice.

Examples
--------
>>> check_code(" k7m4qx ")
'K7M4QX'
>>> check_code("Anna_Schmidt")
Traceback (most recent call last):
...
transferkit.exceptions.ParameterError: Das sieht nach einem Namen aus – bitte geben Sie Ihren Code ein, z. B. K7M4QX. / This looks like a name – please use your code, e.g. K7M4QX.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.exceptions import (
    AnswerValidationError,
    ParameterError,
    SheetAlreadySentError,
    StoreError,
)
from transferkit.i18n import both, text
from transferkit.privacy import CODE_PATTERN as _CODE_PATTERN
from transferkit.privacy import code_problem
from transferkit.sheets.query import SheetRequest, parse_query
from transferkit.store.drafts import Draft, DraftKey, DraftStore

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.values import Answers, JSONValue
    from transferkit.templates import Template

__all__ = [
    "CODE_PATTERN",
    "SheetSession",
    "SubmitResult",
    "check_code",
    "custom_template_path",
    "load_sheet_template",
    "open_session",
    "restrict_template",
    "sent_answers",
    "template_file_stamp",
]

#: A participant code (upper case): 3–32 characters from A–Z, 0–9, ``_ . -``,
#: at least one of them a digit; the same object as :data:`transferkit.privacy.CODE_PATTERN`.
#: The shape alone: :func:`check_code` also refuses names of this shape (``ANNA1985``).
CODE_PATTERN = _CODE_PATTERN


def check_code(value: str) -> str:
    """The participant code in its stored form (trimmed, upper case); names are refused.

    The rule is :func:`transferkit.privacy.code_problem`. Raises
    :class:`ParameterError` with a ``"Deutsch / English"`` message: for a name
    (``ANNA``, ``Anna_Schmidt``, ``Jürgen``, ``mueller2``, an e-mail address)
    the ``code_name`` text, for anything else that is not a code (no digit,
    too short or long, other characters) the ``code_shape`` text of
    the ``sheet`` area of :mod:`transferkit.i18n`.

    >>> check_code("p01-07"), check_code("A07KP")
    ('P01-07', 'A07KP')
    >>> check_code("ABCDEF")
    Traceback (most recent call last):
    ...
    transferkit.exceptions.ParameterError: Das ist kein Code: ein Code hat 3–32 Zeichen (A–Z, 0–9, _ . -) und enthält Ziffern, z. B. K7M4QX. / This is not a code: a code has 3–32 characters (A–Z, 0–9, _ . -) and contains digits, e.g. K7M4QX.
    """
    problem = code_problem(value)
    if problem is not None:
        key = "code_name" if problem == "name" else "code_shape"
        msg = f"{text(f'sheet.{key}', 'de')} / {text(f'sheet.{key}', 'en')}"
        raise ParameterError(msg)
    return value.strip().upper()


def load_sheet_template(name: str) -> Template:
    """Load a built-in template by name, or a YAML file inside the allowed folder.

    Custom files are looked up in ``$TRANSFERKIT_TEMPLATE_DIR`` (default: the
    current folder, i.e. the workshops folder); a path outside it is refused,
    so a link cannot read arbitrary files on the server. The one check for
    this is :func:`transferkit.templates.access.load_visitor_template`
    (shared with the moderator screens): a :class:`ParameterError` names no
    server path and no file contents; the details are logged.
    """
    from transferkit.templates.access import load_visitor_template

    return load_visitor_template(name)


def custom_template_path(name: str) -> Path | None:
    """The file of a custom template name, or ``None`` for a built-in template.

    Raises :class:`ParameterError` for an unknown name or a file outside the allowed folder
    (:func:`transferkit.templates.access.custom_template_file`).
    """
    from transferkit.templates.access import custom_template_file

    return custom_template_file(name)


def template_file_stamp(name: str | None) -> str:
    """``"mtime:size"`` of a custom template file (``""`` for a built-in one), to notice edits.

    Raises :class:`ParameterError` like :func:`custom_template_path`.
    """
    path = custom_template_path(name) if name else None
    if path is None:
        return ""
    stat = path.stat()
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def restrict_template(
    template: Template, question_ids: Sequence[str], phase: str | None = None
) -> Template:
    """A copy of ``template`` with only ``question_ids`` (same id and version), e.g. a vote step.

    Raises :class:`ParameterError` naming the valid ids if one is unknown.
    """
    known = [q.id for q in template.all_questions(phase)]
    unknown = [q for q in question_ids if q not in known]
    if unknown:
        msg = both(
            "link.unknown_questions",
            unknown=", ".join(unknown),
            template=repr(template.id),
            known=", ".join(known),
        )
        raise ParameterError(msg)
    keep = set(question_ids)
    if template.kind == "sheet":
        return template.model_copy(
            update={"questions": [q for q in template.questions if q.id in keep]}
        )
    phases = [
        p.model_copy(update={"questions": [q for q in p.questions if q.id in keep]})
        if p.id == phase
        else p
        for p in template.phases
    ]
    return template.model_copy(update={"phases": phases})


def _given(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not (isinstance(value, list | dict) and not value)


def sent_answers(
    template: Template,
    answers: Mapping[str, JSONValue],
    phase: str | None = None,
    *,
    hidden: bool = False,
) -> Answers:
    """What a sheet sends for ``answers`` filled in (as JSON): questions in order, unanswered ones left out.

    A question hidden by its ``show_if`` (evaluated on what is shown so far)
    is left out too, unless ``hidden`` (what a draft keeps: everything given).
    A ``one_per_line`` long text typed as one text is sent as its lines
    (trimmed, empty ones dropped).
    The web sheet's script does the same (``answers()`` / ``draftAnswers()``
    in ``websheet/static/sheet.js``); the browser tests compare the two.

    >>> from transferkit.templates import load_template
    >>> t = load_template("pilot_goals")
    >>> sorted(sent_answers(t, {"topic": "digital", "topic_other": "KI", "goal_1": " "}))
    ['topic']
    >>> sorted(sent_answers(t, {"topic": "digital", "topic_other": "KI"}, hidden=True))
    ['topic', 'topic_other']
    """
    shown: Answers = {}
    out: Answers = {}
    for q in template.all_questions(phase):
        visible = q.show_if is None or q.show_if.is_met(shown)
        value = answers.get(q.id)
        if getattr(q, "one_per_line", False) and isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        if not _given(value):
            continue
        if visible:
            shown[q.id] = value
        if visible or hidden:
            out[q.id] = value
    return out


@dataclass(frozen=True)
class SubmitResult:
    """A stored sheet: its response id, and whether it had been submitted before."""

    response_id: int
    again: bool = False


class SheetSession:
    """The sheet a link asks for: template (restricted to the link's questions), pilot, loop, phase.

    Methods take the participant ``code`` (see :func:`check_code`), so one
    session serves every participant of the same link. Without a ``store``
    (``None``) the session only checks the link: :meth:`submit` raises
    :class:`~transferkit.exceptions.StoreError`.
    """

    def __init__(
        self,
        template: Template,
        request: SheetRequest,
        *,
        store: Store | None,
        drafts: DraftStore | None = None,
    ) -> None:
        self.full_template = template
        self.request = request
        self.phase = request.phase
        if request.question_ids():
            template = restrict_template(template, request.question_ids(), request.phase)
        self.template = template
        if template.kind == "loop" and self.phase is None:
            msg = (
                f"Die Vorlage {template.id!r} hat Phasen: bitte phase= angeben / "
                f"template {template.id!r} has phases: add phase= to the link "
                f"({', '.join(template.phase_ids())})"
            )
            raise ParameterError(msg)
        if self.phase is not None:
            template.phase(self.phase)  # TemplateError naming the valid phases
        self.store = store
        self.drafts = drafts

    @property
    def lang(self) -> str:
        """The link's language (``de`` or ``en``)."""
        return self.request.lang

    def key(self, code: str) -> DraftKey:
        """The draft key of participant ``code`` for this sheet."""
        selection = "+".join(self.request.question_ids())
        return DraftKey(
            self.template.id + (f"#{selection}" if selection else ""),
            pilot=self.request.pilot,
            loop=self.request.loop,
            phase=self.phase,
            participant=code,
        )

    def open(self, code: str) -> Draft | None:
        """The participant's draft (created empty on the first visit); ``None`` without drafts.

        A sent sheet opens as sent and shows nothing of what was sent: a code
        may be known to others (a neighbour's screen), so it gives access only
        to its own *unsent* draft.
        """
        if self.drafts is None:
            return None
        draft = self.drafts.load(self.key(code))
        if draft is None:
            draft = self.drafts.save(self.key(code), {})
        if draft.submitted:
            draft = Draft(draft.key, {}, draft.submission_id, draft.response_id, draft.updated_at)
        return draft

    def save_draft(self, code: str, answers: Answers) -> Draft | None:
        """Save the answers so far, checked like answers but possibly unfinished.

        Raises :class:`AnswerValidationError` for a draft of the wrong shape
        (unknown questions, wrong types or options, over-long texts) and
        :class:`SheetAlreadySentError` once the sheet has been sent.
        """
        if self.drafts is None:
            return None
        kept = self.template.validate_draft(answers, phase=self.phase)
        previous = self.drafts.load(self.key(code))
        if previous is not None and previous.submitted:
            msg = f"{text('sheet.already_sent', 'de')} / {text('sheet.already_sent', 'en')}"
            raise SheetAlreadySentError(msg)
        return self.drafts.save(self.key(code), kept)

    def validate(self, answers: Answers) -> Answers:
        """The cleaned answers, or one :class:`AnswerValidationError` listing every problem."""
        return dict(self.template.validate(answers, phase=self.phase))

    def submit(
        self,
        code: str,
        answers: Answers,
        *,
        draft_answers: Answers | None = None,
        company: str | None = None,
    ) -> SubmitResult:
        """Validate and store the sheet once; a repeat returns the first response id.

        Raises :class:`AnswerValidationError` (nothing is stored) or a
        :class:`~transferkit.exceptions.StoreError`. ``draft_answers`` is what
        the draft keeps (default: ``answers``). ``company`` (else the link's)
        is recorded for a participant who has no company yet.
        """
        self.validate(answers)
        submission_id = f"{self.key(code).as_string()}"
        if self.drafts is not None:
            previous = self.drafts.load(self.key(code))
            if previous is not None and previous.response_id is not None:
                return SubmitResult(previous.response_id, again=True)
            kept = answers if draft_answers is None else draft_answers
            try:
                kept = self.template.validate_draft(kept, phase=self.phase)
            except AnswerValidationError:
                kept = self.template.validate(answers, phase=self.phase)
            draft = self.drafts.save(self.key(code), kept)
            submission_id = draft.submission_id
        if self.store is None:  # a session that only checked a link (web sheet cache)
            msg = "this sheet session has no store to submit to"
            raise StoreError(msg)
        response_id = int(
            self.store.submit(
                self.template,
                answers,
                pilot=self.request.pilot,
                loop=self.request.loop,
                phase=self.phase,
                participant=code,
                company=company or self.request.company,
                submission_id=submission_id,
            )
        )
        if self.drafts is not None:
            self.drafts.mark_submitted(self.key(code), response_id)
        return SubmitResult(response_id)


def open_session(
    query: str, *, store: Store | None, drafts: DraftStore | None = None
) -> SheetSession:
    """The :class:`SheetSession` for a link's query string.

    Raises :class:`ParameterError` (German / English) for a link without or with
    an unknown template, a loop template without phase, or unknown questions.
    """
    request = parse_query(query)
    if request.template is None:
        from transferkit.templates import list_templates

        msg = both("link.no_template", builtin=", ".join(list_templates()))
        raise ParameterError(msg)
    template = load_sheet_template(request.template)
    return SheetSession(template, request, store=store, drafts=drafts)
