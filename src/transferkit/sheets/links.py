"""Check a join link before it is shared: one typo by the moderator must not cost a room its answers.

``transferkit serve`` prints the participants' link and its QR code only after
:func:`check_join_link` found nothing wrong with it: the template exists (a
built-in name, or a valid YAML file in the workshops folder), a loop template
has a phase, the pilot is in the store and the loop is one of its planned
loops. Every problem is named at once, with the values that would be valid.

Examples
--------
>>> from transferkit.sheets.query import SheetRequest
>>> check = check_join_link(SheetRequest(template="needs_analyis"), store=None)
>>> check.problems[0].startswith("unknown template 'needs_analyis' – did you mean 'needs_analysis'?")
True
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.exceptions import ParameterError, StoreError, TemplateError

if TYPE_CHECKING:
    from transferkit.sheets.query import SheetRequest
    from transferkit.store import Store
    from transferkit.templates import Template

__all__ = ["LinkCheck", "check_join_link", "did_you_mean"]


@dataclass
class LinkCheck:
    """What :func:`check_join_link` found: the template (if it loaded) and the problems."""

    template: Template | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise one :class:`ParameterError` listing every problem (nothing if there is none)."""
        if self.problems:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            msg = f"the participants' link would not work, so no link and no QR code were printed:\n{lines}"
            raise ParameterError(msg)


def did_you_mean(value: str, valid: Sequence[str]) -> str:
    """`` – did you mean 'x'?`` for the closest valid value (case ignored), or ``""``.

    >>> did_you_mean("p01", ["P01", "P02"])
    " – did you mean 'P01'?"
    """
    by_lower = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" – did you mean {by_lower[close[0]]!r}?" if close else ""


def _load(name: str, folder: Path | None) -> Template:
    """A built-in template or a YAML file in ``folder``; :class:`ParameterError` / :class:`TemplateError`."""
    from transferkit.templates import list_templates, load_template

    builtin = list_templates()
    if name in builtin:
        return load_template(name)
    custom = sorted(p.name for p in folder.glob("*.y*ml")) if folder is not None else []
    if name.endswith((".yaml", ".yml")) and folder is not None:
        path = (folder / name).resolve()
        if path.parent == folder.resolve() and path.is_file():
            return load_template(path)  # the full TemplateError: the moderator reads it
    known = builtin + custom
    msg = (
        f"unknown template {name!r}{did_you_mean(name, known)} "
        f"built-in: {', '.join(builtin)}"
        + (f"; in {folder}: {', '.join(custom)}" if custom else "")
        + " (option --template)"
    )
    raise ParameterError(msg)


def check_join_link(
    request: SheetRequest, store: Store | None, *, folder: Path | None = None
) -> LinkCheck:
    """Check the template, phase, pilot and loop of a participants' link; every problem at once.

    ``store`` may be ``None`` when the link names no pilot; ``folder`` is where
    custom ``.yaml`` templates are looked up (the workshops folder).
    """
    check = LinkCheck()
    template = None
    if request.template is None:
        check.problems.append("no template given (option --template, e.g. needs_analysis)")
    else:
        try:
            template = _load(request.template, folder)
        except (ParameterError, TemplateError) as error:
            check.problems.append(str(error))
    if template is not None:
        check.template = template
        phases = template.phase_ids()
        if template.kind == "loop" and request.phase is None:
            check.problems.append(
                f"template {template.id!r} has phases: choose one with --phase ({', '.join(phases)})"
            )
        elif request.phase is not None and request.phase not in phases:
            if phases:
                check.problems.append(
                    f"template {template.id!r} has no phase {request.phase!r}"
                    f"{did_you_mean(request.phase, phases)} phases: {', '.join(phases)}"
                )
            else:
                check.problems.append(
                    f"template {template.id!r} is a sheet without phases: leave out --phase"
                )
    if request.pilot is not None:
        check.problems += _pilot_problems(request.pilot, request.loop, store)
    return check


def _pilot_problems(pilot: str, loop: int | None, store: Store | None) -> list[str]:
    if store is None:
        return [f"pilot {pilot!r} cannot be checked without a store (option --db)"]
    try:
        planned = store.pilot_loops(pilot)
    except StoreError as error:
        if "unknown pilot" not in str(error):
            raise
        known = [str(p) for p in store.pilots()["pilot_id"]]
        listed = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
        hint = (
            f"pilots in the store: {listed}"
            if known
            else "the store has no pilots yet: create it first (transferkit db import-demo for the demo)"
        )
        return [f"unknown pilot {pilot!r}{did_you_mean(pilot, known)} {hint} (option --pilot)"]
    if loop is not None and planned is not None and not 1 <= loop <= planned:
        return [
            f"loop {loop} is not a planned loop of pilot {pilot!r}: 1–{planned} (option --loop)"
        ]
    if loop is not None and loop < 1:
        return [f"loop {loop} is not a loop number: 1 or more (option --loop)"]
    return []
