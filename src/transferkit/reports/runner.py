"""Run report notebooks: one (:func:`run_report`) or many in parallel (:func:`run_batch`).

A report is a papermill-executed notebook exported as HTML without code, with
its figures embedded, and a JSON of its key figures beside it::

    reports/pilot_P01.html    the report for the reader
    reports/pilot_P01.json    {"report": ..., "parameters": ..., "key_figures": ...}
    reports/pilot_P01.ipynb   the executed notebook, for the researcher

Parameters are validated before any worker or kernel starts. Notebooks run
through papermill's Python API in worker processes of this very interpreter
(``sys.executable``), one per core for a batch: each notebook in a child forked
from a warm worker (:mod:`transferkit.reports.engine`), or, where the OS cannot
fork, on a kernel of this interpreter, never on whatever kernelspec ``python3``
happens to point to.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from transferkit.exceptions import ParameterError, ReportError, TransferkitError
from transferkit.reports.exports import check_formats, export_formats
from transferkit.reports.forking import fork_available
from transferkit.reports.keyfigures import KEY_FIGURES_MIMETYPE, plain
from transferkit.reports.params import notebook_path, validate_parameters

if TYPE_CHECKING:
    import pandas as pd
    from jupyter_client.manager import AsyncKernelManager
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

    from transferkit.store import Store
    from transferkit.store.values import JSONValue

__all__ = [
    "KEY_FIGURES_MIMETYPE",
    "REPORT_POLICY",
    "REPORT_TEMPLATE",
    "BatchResult",
    "ReportJob",
    "ReportResult",
    "report_name",
    "run_batch",
    "run_report",
    "warm_up",
]

#: Mimetype of the display output that carries a report's key figures.

#: Cells with one of these tags are left out of the HTML entirely.
HIDDEN_CELL_TAGS = {"parameters", "injected-parameters", "remove_cell", "remove-cell"}


@dataclass(frozen=True)
class ReportJob:
    """One report to make: a kind (``pilot``, ``network``, ``needs``, ``protocol``
    or a notebook path), its parameters, and optionally the output file stem."""

    kind: str
    params: Mapping[str, JSONValue] = field(default_factory=dict)
    name: str | None = None


@dataclass
class ReportResult:
    """What became of one report: its files and key figures, or where it failed."""

    job: ReportJob
    name: str
    ok: bool
    html: Path | None = None
    json: Path | None = None
    notebook: Path | None = None
    key_figures: dict[str, JSONValue] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""
    cell: int | None = None  # execution count of the failing cell, as shown in the notebook
    #: Files beyond the HTML (:mod:`transferkit.reports.exports`): ``xlsx``, ``csv`` (folder),
    #: ``docx``, ``pdf``.
    exports: dict[str, Path] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The report's title (from its key figures), else its name."""
        return str(self.key_figures.get("title") or self.name)

    def describe_failure(self) -> str:
        """One line naming the report, notebook, cell and error."""
        where = f", cell In [{self.cell}]" if self.cell is not None else ""
        return f"{self.name} ({self.job.kind}{where}): {self.error}"


@dataclass
class BatchResult:
    """The results of :func:`run_batch`, in the order of the jobs."""

    results: list[ReportResult]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every report was made."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[ReportResult]:
        """The reports that failed."""
        return [r for r in self.results if not r.ok]

    def summary(self) -> str:
        """A short account: how many made, and each failure with cell and error."""
        done = len(self.results) - len(self.failures)
        lines = [f"{done} of {len(self.results)} reports made in {self.seconds:.1f} s."]
        if self.failures:
            lines.append(f"{len(self.failures)} failed:")
            lines += [f"  - {r.describe_failure()}" for r in self.failures]
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise :class:`ReportError` listing every failed report."""
        if self.failures:
            raise ReportError(self.summary())


def report_name(kind: str, values: Mapping[str, JSONValue]) -> str:
    """The output file stem of a report, e.g. ``pilot_P01`` or ``needs_C03_en``.

    Characters other than letters, digits, ``_``, ``.`` and ``-`` become ``_``.

    >>> report_name("pilot", {"pilot_id": "../P 1"})
    'pilot_.._P_1'
    """
    if kind == "pilot":
        stem = f"pilot_{values.get('pilot_id')}"
    elif kind == "network":
        company = values.get("company_id")
        stem = f"network_{company}" if company else "network"
    elif kind == "needs":
        stem = f"needs_{values.get('company_id') or 'network'}"
    elif kind == "protocol":
        stem = f"protocol_{values.get('pilot_id')}_loop{values.get('loop')}"
    else:
        stem = Path(kind).stem
    lang = values.get("lang", "de")
    stem = stem if lang in (None, "de") else f"{stem}_{lang}"
    # ids come from the store and may be any text: a file name in out_dir, never a path
    return re.sub(r"[^\w.-]", "_", stem).lstrip(".") or "report"


def _key_figures(nb: NotebookNode) -> dict[str, JSONValue] | None:
    """The last key-figures output of an executed notebook."""
    found = None
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KEY_FIGURES_MIMETYPE in data:
                found = data[KEY_FIGURES_MIMETYPE]
    return dict(found) if found is not None else None


def _to_html(nb: NotebookNode, title: str) -> str:
    """HTML without code, prompts, stderr or hidden cells; figures stay embedded.

    The page loads nothing and runs no script (:data:`REPORT_TEMPLATE`, :data:`REPORT_POLICY`).
    """
    import copy

    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and KEY_FIGURES_MIMETYPE not in o.get("data", {})
            ]
        cells.append(cell)
    nb.cells = cells
    body, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": title}, "tk_policy": REPORT_POLICY}
    )
    return _alt_from_captions(str(body))


@functools.cache
def _exporter() -> HTMLExporter:
    """The report exporter, made once per process: it compiles its templates on first use
    (~0.16 s, half of an export), and a new exporter would compile them again."""
    from nbconvert import HTMLExporter

    # nbconvert's exporters have no annotations (an unused ignore outside --strict)
    return HTMLExporter(  # type: ignore[no-untyped-call, unused-ignore]
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(_TEMPLATES)],
        log=_QUIET,
    )


_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The nbconvert template of the reports (``reports/templates/``): nbconvert's lab page
#: without any script (no require.js or MathJax from a CDN) and with :data:`REPORT_POLICY`.
REPORT_TEMPLATE = "transferkit_report"
#: The Content-Security-Policy of every report page: no script at all, nothing loaded from
#: anywhere (figures are embedded ``data:`` PNGs, styles are inline), no plugins, forms or
#: ``<base>``. A report works offline, and text that slipped into it could not run.
REPORT_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)


_QUIET = logging.getLogger("transferkit.reports.export")
_QUIET.setLevel(logging.ERROR)
_NO_ALT = 'alt="No description has been provided for this image"'
_CAPTION = re.compile(r'<p class="tk-caption"[^>]*>(.*?)</p>', re.DOTALL)


def _alt_from_captions(page: str) -> str:
    """Give each figure its caption as alternative text (figures and captions pair up in order)."""
    captions = _CAPTION.findall(page)
    if page.count(_NO_ALT) != len(captions):
        return page
    for caption in captions:
        # the caption is the text of an element (its quotes are not escaped there)
        alt = html.escape(html.unescape(caption), quote=True)
        page = page.replace(_NO_ALT, f'alt="{alt}"', 1)
    return page


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_line(source: str, traceback: Sequence[str]) -> str:
    """The line of the cell that raised (IPython marks it ``---->``; else the cell's first
    line), and the innermost file and line when the error came from a called function."""
    lines = [ln for entry in traceback for ln in _ANSI.sub("", str(entry)).splitlines()]
    cell_line = next(
        (m.group(1).strip() for ln in lines if (m := re.match(r"\s*-+>\s*\d+\s(.*)", ln))),
        next((ln.strip() for ln in str(source).splitlines() if ln.strip()), ""),
    )
    where = f"at `{cell_line}`"
    files = [m for ln in lines if (m := re.match(r"\s*File\s+(\S+?):(\d+)", ln))]
    if files:
        where += f", in {Path(files[-1].group(1)).name} line {files[-1].group(2)}"
    return where


def _write(path: Path, text: str) -> None:
    """Write ``text`` atomically (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _secret_free(
    values: Mapping[str, JSONValue],
) -> tuple[dict[str, JSONValue], type[AsyncKernelManager]]:
    """Parameters to inject and the kernel manager to use.

    A store URL with a password never enters the executed notebook: it reaches
    the kernel as ``$TRANSFERKIT_DB`` and the notebook gets ``db=""``.
    """
    from transferkit.reports.kernel import ThisPythonKernelManager

    injected = dict(values)
    db = str(values.get("db") or "")
    if db:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            password = make_url(db).password
        except ArgumentError:
            password = None
        if password:
            injected["db"] = ""
            env = {"TRANSFERKIT_DB": db}
            return injected, type(
                "SecretStoreKernelManager", (ThisPythonKernelManager,), {"extra_env": env}
            )
    return injected, ThisPythonKernelManager


def _engine_options(manager: type[AsyncKernelManager]) -> dict[str, object]:
    """papermill options: a child forked from this warm process where the OS can fork
    (:mod:`transferkit.reports.engine`), else a kernel per report."""
    if fork_available():
        from transferkit.reports import engine

        engine.register()
        return {"engine_name": engine.ENGINE_NAME, "env": dict(getattr(manager, "extra_env", {}))}
    return {"kernel_manager_class": manager}


def _execute(
    job: ReportJob, out_dir: Path, values: Mapping[str, JSONValue], timeout: int
) -> ReportResult:
    """Execute one validated job and export it; failures become a failed result."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    name = job.name or report_name(job.kind, values)
    result = ReportResult(job=job, name=name, ok=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out_dir / f"{name}.html", out_dir / f"{name}.json"
    nb_path = out_dir / f"{name}.ipynb"
    for stale in (html_path, json_path):
        stale.unlink(missing_ok=True)
    source = notebook_path(job.kind)
    injected, manager = _secret_free(values)
    try:
        nb = papermill.execute_notebook(
            source,
            nb_path,
            parameters=injected,
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
            **_engine_options(manager),
        )
        result.notebook = nb_path
        figures = _key_figures(nb)
        if figures is None:
            msg = (
                f"{source.name} displayed no key figures "
                f"(a cell must display {KEY_FIGURES_MIMETYPE!r}, e.g. report_data.show_key_figures)"
            )
            raise ReportError(msg)
        result.key_figures = plain(figures)
        public = {k: v for k, v in values.items() if k != "db"}
        document = {
            "report": job.kind,
            "name": name,
            "parameters": public,
            "key_figures": result.key_figures,
        }
        _write(html_path, _to_html(nb, result.title))
        _write(json_path, json.dumps(document, indent=2, ensure_ascii=False))
    except PapermillExecutionError as error:
        result.notebook = nb_path
        result.cell = error.exec_count
        result.error = (
            f"{source.name}: {error.ename}: {error.evalue} "
            f"({_failing_line(error.source, error.traceback)})"
        )
    except TransferkitError as error:
        result.error = str(error)
    except Exception as error:  # noqa: BLE001 - a dead kernel, a timeout, an export problem
        result.error = f"{source.name}: {type(error).__name__}: {error}"
    else:
        result.ok, result.html, result.json = True, html_path, json_path
    result.seconds = time.perf_counter() - start
    return result


def run_report(
    kind: str,
    params: Mapping[str, JSONValue] | None = None,
    out_dir: str | os.PathLike[str] = "reports",
    *,
    name: str | None = None,
    store: Store | None = None,
    timeout: int = 600,
    formats: str | Iterable[str] = ("html",),
) -> ReportResult:
    """Validate, execute and export one report; return its result.

    ``kind`` is ``"pilot"``, ``"network"``, ``"needs"``, ``"protocol"`` or the
    path of a notebook with a ``parameters`` cell. Raises
    :class:`~transferkit.exceptions.ParameterError` before any kernel starts
    when a parameter is wrong, and :class:`~transferkit.exceptions.ReportError`
    naming the notebook, cell and error when execution fails. ``formats`` adds
    ``"pdf"`` and ``"docx"`` to the HTML (:mod:`transferkit.reports.exports`).
    """
    wanted = check_formats(formats)
    values = validate_parameters(kind, params, store=store)
    job = ReportJob(kind=kind, params=dict(params or {}), name=name)
    result = _execute_apart(job, Path(out_dir), values, timeout)
    export_formats([result], wanted)
    if not result.ok:
        msg = f"Report {result.describe_failure()}"
        raise ReportError(msg)
    return result


def _batch_worker(
    job: ReportJob,
    out_dir: str,
    values: Mapping[str, JSONValue],
    timeout: int,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ReportResult:
    # a worker forked from the fork server has that server's directory and environment:
    # give it the caller's, as a worker started afresh would have them
    if cwd is not None:
        os.chdir(cwd)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    return _execute(job, Path(out_dir), values, timeout)


@functools.cache
def warm_up() -> None:
    """Prepare this process for making reports: import what they use, compile the export
    templates (once per process; a process forked afterwards inherits it all).

    Report workers run it (:mod:`transferkit.reports.warm`); each report then runs in
    a child forked from the warm process (:mod:`transferkit.reports.engine`) and pays
    none of it again. Does nothing where notebooks cannot run in forked children.
    """
    if not fork_available():
        return
    if "jsonschema" not in sys.modules:
        # nbformat imports jsonschema, which loads rfc3987_syntax when it is installed and
        # so builds a Lark grammar (~1.5 s) for the "iri" format; no notebook schema uses it
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type, unused-ignore]
    import nbformat

    from transferkit.reports import engine

    engine.preload()
    _to_html(nbformat.v4.new_notebook(), "warm-up")  # type: ignore[no-untyped-call, unused-ignore]


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes with nothing of the caller's state, warmed.

    Where notebooks run in forked children, the workers are forked from one fork
    server that warmed up once (:mod:`transferkit.reports.warm`; it stays for the next
    batch of this process); elsewhere they start afresh (``spawn``).
    """
    if not fork_available():
        spawn = get_context("spawn")
        return ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=warm_up)
    server = get_context("forkserver")
    server.set_forkserver_preload(["transferkit.reports.warm"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=server, initializer=warm_up)


def _job_args(
    job: ReportJob, out_dir: str | os.PathLike[str], values: Mapping[str, JSONValue], timeout: int
) -> tuple[ReportJob, str, Mapping[str, JSONValue], int, str, dict[str, str]]:
    """What :func:`_batch_worker` takes: the job, and the caller's directory and environment."""
    return job, os.fspath(out_dir), values, timeout, str(Path.cwd()), dict(os.environ)


def _crashed(job: ReportJob, error: BaseException) -> ReportResult:
    return ReportResult(
        job=job,
        name=job.name or job.kind,
        ok=False,
        error=f"worker crashed: {type(error).__name__}: {error}",
    )


def _execute_apart(
    job: ReportJob, out_dir: Path, values: Mapping[str, JSONValue], timeout: int
) -> ReportResult:
    """One report in a worker process of its own: the caller may be a server with threads
    or a researcher's session, which must neither be forked nor leak into the report."""
    if not fork_available():
        return _execute(job, out_dir, values, timeout)  # a kernel per report isolates it
    with _pool(1) as pool:
        future = pool.submit(_batch_worker, *_job_args(job, out_dir, values, timeout))
        try:
            return future.result()
        except Exception as error:  # noqa: BLE001 - the worker process itself died
            return _crashed(job, error)


def run_batch(
    jobs: Iterable[ReportJob | tuple[str, Mapping[str, JSONValue]]],
    out_dir: str | os.PathLike[str] = "reports",
    workers: int | None = None,
    *,
    progress: bool = True,
    store: Store | None = None,
    timeout: int = 600,
    formats: str | Iterable[str] = ("html",),
) -> BatchResult:
    """Make many reports in parallel, one worker process per core by default.

    Every job is validated before it is handed to a worker (a wrong one fails
    without a worker or kernel; the workers start, and warm up, with the first
    valid job); the others run on past any failure. Returns a :class:`BatchResult`; its
    :meth:`~BatchResult.summary` names each failed report with cell and error.
    ``formats`` as in :func:`run_report` (one Chromium prints every PDF).
    """
    from tqdm.auto import tqdm

    wanted = check_formats(formats)
    start = time.perf_counter()
    job_list = [j if isinstance(j, ReportJob) else ReportJob(j[0], dict(j[1])) for j in jobs]
    results: list[ReportResult | None] = [None] * len(job_list)
    stores: dict[str, Store] = {}
    names: dict[str, int] = {}
    out = os.fspath(out_dir)
    futures: dict[Future[ReportResult], tuple[int, ReportJob]] = {}
    with ExitStack() as stack:
        pool: ProcessPoolExecutor | None = None
        for index, job in enumerate(job_list):
            try:
                db = str(job.params.get("db") or "")
                if store is None and db not in stores:
                    from transferkit.store import Store

                    stores[db] = Store(db or None)
                values = validate_parameters(job.kind, job.params, store=store or stores[db])
                name = job.name or report_name(job.kind, values)
                if name in names:
                    msg = f"two reports would both write {name}.html: give one of them a name"
                    raise ParameterError(msg)
            except TransferkitError as error:
                fallback = job.name or f"{Path(job.kind).stem}#{index + 1}"
                results[index] = ReportResult(job=job, name=fallback, ok=False, error=str(error))
                continue
            names[name] = index
            if pool is None:  # the workers warm up while the other jobs are checked
                n_workers = max(1, min(workers or os.cpu_count() or 1, len(job_list) - index))
                pool = stack.enter_context(_pool(n_workers))
            named = ReportJob(job.kind, job.params, name)
            futures[pool.submit(_batch_worker, *_job_args(named, out, values, timeout))] = (
                index,
                named,
            )

        bar = stack.enter_context(
            tqdm(
                total=len(job_list),
                desc="reports",
                unit="report",
                disable=not progress,
                file=sys.stderr,
            )
        )
        bar.update(len(job_list) - len(futures))
        for future in as_completed(futures):
            index, job = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - the worker process itself died
                result = _crashed(job, error)
            results[index] = result
            bar.set_postfix_str(f"{result.name} {'ok' if result.ok else 'FAILED'}")
            bar.update(1)
    done = [r for r in results if r is not None]
    export_formats(done, wanted)
    return BatchResult(done, time.perf_counter() - start)


def _ids(frame: pd.DataFrame, candidates: Sequence[str]) -> list[str]:
    for column in candidates:
        if column in frame.columns:
            return sorted(str(v) for v in frame[column].dropna().unique())
    return []


def all_jobs(store: Store, lang: str = "de", db: str = "") -> list[ReportJob]:
    """The reports of ``transferkit report all``: every pilot, the network, and the
    needs analysis of the network and of each company with needs data."""
    common = {"db": db, "lang": lang}
    jobs = [
        ReportJob("pilot", common | {"pilot_id": p})
        for p in _ids(store.pilots(), ("pilot_id", "id", "pilot"))
    ]
    jobs.append(ReportJob("network", dict(common)))
    jobs.append(ReportJob("needs", common | {"company_id": ""}))
    answered = set(store.responses(template="needs_analysis")["participant"].dropna())
    people = store.participants()
    with_needs = set(people.loc[people["participant"].isin(answered), "company_id"].dropna())
    companies = [c for c in _ids(store.companies(), ("company_id",)) if c in with_needs]
    jobs += [ReportJob("needs", common | {"company_id": c}) for c in companies]
    return jobs


def run_all(
    store_url: str | None = None,
    out_dir: str | os.PathLike[str] = "reports",
    lang: str = "de",
    *,
    workers: int | None = None,
    progress: bool = True,
    formats: str | Iterable[str] = ("html",),
) -> Path:
    """Make every report (see :func:`all_jobs`) and an ``index.html`` linking them.

    Returns the path of ``index.html``. When any report failed, the index is
    still written (listing the failures) and :class:`ReportError` is raised
    naming each failed report, its cell and error.
    """
    from transferkit.reports.index import write_index
    from transferkit.store import Store

    store = Store(store_url or None)
    batch = run_batch(
        all_jobs(store, lang, store_url or ""),
        out_dir,
        workers,
        progress=progress,
        store=store,
        formats=formats,
    )
    index = write_index(batch.results, out_dir, lang)
    if batch.failures:
        msg = f"{batch.summary()}\nIndex of the reports made: {index}"
        raise ReportError(msg)
    return index


def __getattr__(name: str) -> object:
    # the kernel manager lives in reports.kernel: jupyter_client (and zmq) load only when
    # a kernel is needed, not when a command merely validates its parameters
    if name == "ThisPythonKernelManager":
        from transferkit.reports.kernel import ThisPythonKernelManager

        return ThisPythonKernelManager
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
