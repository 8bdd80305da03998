"""Helpers for the store tests: a small fake template and writer processes.

Importable by name (``store_helpers``) so that ``multiprocessing`` children
started with the *spawn* method can find the worker functions.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from transferkit.exceptions import AnswerProblem, AnswerValidationError

__all__ = [
    "FakeLoop",
    "FakeQuestion",
    "FakeTemplate",
    "big_answers",
    "kill_target",
    "run_writers",
    "spawn",
]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class FakeQuestion:
    id: str
    type: str
    required: bool = True


class FakeTemplate:
    """A sheet with a text, a Likert item (1-5) and an optional long text."""

    id = "fake_sheet"
    version = 1
    questions = (
        FakeQuestion("q_text", "text"),
        FakeQuestion("q_likert", "likert"),
        FakeQuestion("q_long", "long_text", required=False),
    )

    def all_questions(self, phase: str | None = None) -> list[FakeQuestion]:
        return list(self.questions)

    def validate(self, answers: dict[str, Any], *, phase: str | None = None) -> dict[str, Any]:
        problems = []
        cleaned: dict[str, Any] = {}
        for q in self.all_questions(phase):
            value = answers.get(q.id)
            if value is None or value == "":
                if q.required:
                    problems.append(AnswerProblem(q.id, "required", "Pflichtfeld", "required"))
                continue
            if q.type == "likert":
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                    problems.append(AnswerProblem(q.id, "range", "1 bis 5", "1 to 5"))
                    continue
            elif not isinstance(value, str):
                problems.append(AnswerProblem(q.id, "type", "Text erwartet", "text expected"))
                continue
            cleaned[q.id] = value
        if problems:
            raise AnswerValidationError(self.id, problems)
        return cleaned

    def example_answers(self, phase: str | None = None, seed: int = 0) -> dict[str, Any]:
        return {"q_text": f"answer {seed}", "q_likert": seed % 5 + 1}


class FakeLoop(FakeTemplate):
    """A loop with two phases, ``plan`` (``p_rating``) and ``review`` (``r_text``)."""

    id = "fake_loop"
    version = 2
    phases: ClassVar[dict[str, tuple[FakeQuestion, ...]]] = {
        "plan": (FakeQuestion("p_rating", "likert"),),
        "review": (FakeQuestion("r_text", "text"),),
    }

    def all_questions(self, phase: str | None = None) -> list[FakeQuestion]:
        if phase is not None:
            return list(self.phases[phase])
        return [q for qs in self.phases.values() for q in qs]


def big_answers(submission_id: str, size: int = 200_000) -> dict[str, Any]:
    """Deterministic answers with a large text, recomputable from the submission id."""
    digest = hashlib.sha256(submission_id.encode()).hexdigest()
    return {
        "q_text": submission_id,
        "q_likert": int(digest[:2], 16) % 5 + 1,
        "q_long": (digest * (size // len(digest) + 1))[:size],
    }


def spawn() -> Any:
    """The spawn multiprocessing context, with this folder importable in children."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return mp.get_context("spawn")


def _writer(
    url: str,
    worker: int,
    n: int,
    shared_ids: bool,
    pilot: str | None,
    template_name: str,
    barrier: Any,
    results: Any,
) -> None:
    """Child process: submit ``n`` responses, report their ids or the error."""
    try:
        from transferkit.store import Store
        from transferkit.templates import load_template

        template = load_template(template_name)
        store = Store(url)
        examples = [template.example_answers(seed=k) for k in range(10)]
        if pilot is not None:  # every writer adds the same pilot at the same moment
            barrier.wait(timeout=60)
            store.add_pilot(pilot, "Pilot")
        barrier.wait(timeout=60)
        ids = []
        for i in range(n):
            sid = f"shared-{i}" if shared_ids else f"w{worker}-{i}"
            answers = examples[i % 10]
            ids.append(
                store.submit(
                    template,
                    answers,
                    pilot=pilot,
                    loop=i % 4,
                    participant=f"C{worker:02d}{i % 7}",
                    submission_id=sid,
                )
            )
        store.close()
        results.put((worker, ids, None))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put((worker, None, traceback.format_exc()))


def run_writers(
    url: str,
    processes: int,
    n: int,
    *,
    shared_ids: bool = False,
    pilot: str | None = "P01",
    template: str = "needs_analysis",
) -> dict[int, list]:
    """Run ``processes`` writer processes at once; return their response ids per worker.

    Each opens the store (creating the tables if it is new), adds ``pilot``,
    then submits ``n`` responses (example answers of the built-in
    ``template``), all at the same moment.

    Fails with the child's traceback if any writer raised.
    """
    ctx = spawn()
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(url, w, n, shared_ids, pilot, template, barrier, results))
        for w in range(processes)
    ]
    for proc in procs:
        proc.start()
    collected: dict[int, list] = {}
    errors = []
    for _ in procs:
        worker, ids, error = results.get(timeout=120)
        if error:
            errors.append(f"writer {worker}:\n{error}")
        else:
            collected[worker] = ids
    for proc in procs:
        proc.join(timeout=30)
    if errors:
        raise AssertionError("\n".join(errors))
    return collected


def kill_target(url: str, prefix: str, ready: Any) -> None:
    """Child process: submit large responses in a loop until killed."""
    from transferkit.store import Store

    store = Store(url)
    i = 0
    while True:
        sid = f"{prefix}-{i}"
        store.submit(FakeTemplate(), big_answers(sid), pilot="P01", submission_id=sid)
        i += 1
        if i == 2:
            ready.set()
