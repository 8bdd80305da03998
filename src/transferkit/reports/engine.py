"""Execute report notebooks without a kernel per report: a warm worker forks one child per notebook.

Why (measured on a 2-core machine, see README "Benchmarks"): a pilot report's own
work is ~0.6 s, but a fresh Jupyter kernel spends ~3-4 s starting and importing
pandas, matplotlib, scipy and transferkit before the first line of the report
runs. A pool of pre-started kernels would only move that cost into the
background; on two cores the background is the same two cores, so a batch would
barely gain. Forking pays it once per worker instead:

* :func:`preload` (the worker's initializer) imports what reports use and warms
  matplotlib's font cache, once per worker process;
* :class:`ForkEngine`, a papermill engine (``engine_name=ENGINE_NAME``), runs each
  notebook's cells in a child forked from that warm worker, in a fresh IPython
  shell, and streams every cell's outputs back to papermill's bookkeeping in the
  worker. The child exits after the notebook: a name or module state one report
  sets never reaches the next, exactly as with a kernel per report.

papermill itself still injects the parameters cell, writes its metadata and the
executed notebook, and raises :class:`papermill.exceptions.PapermillExecutionError`
naming the failing cell; outputs are serialised as a kernel's messages are
(``jupyter_client``'s JSON packer), so the executed notebook and its HTML are the
same as with a kernel. A cell that runs longer than the timeout fails with
:class:`CellTimeout` in that cell; a child that dies is a :class:`ReportProcessDied`.

Forking needs POSIX ``fork`` (Linux); elsewhere :func:`fork_available` is false
and the runner uses a kernel per report as before.
"""

from __future__ import annotations

import io
import json
import os
import platform
import select
import signal
import struct
import sys
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, NotebookExecutionManager, papermill_engines

from transferkit.reports.forking import fork_available

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "ENGINE_NAME",
    "PRELOAD",
    "CellTimeout",
    "ForkEngine",
    "ReportProcessDied",
    "fork_available",
    "preload",
]

#: The papermill engine name of :class:`ForkEngine`.
ENGINE_NAME = "transferkit-fork"

#: Modules a warm worker imports once (what the report notebooks and the export use).
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "IPython.display",
    "jupyter_client.session",
    "nbformat",
    "nbconvert",
    "sqlalchemy",
    "transferkit.store",
    "transferkit.evaluation",
    "transferkit.datasets.tidy",
    "transferkit.reports.content",
    "transferkit.reports.content.figures",
    "transferkit.reports.content.methods",
    "transferkit.templates",
)

#: Environment of every report (as the kernel's was): no display, no debugger warnings.
REPORT_ENV = {"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

# ipykernel's language_info, which papermill and nbconvert read from the notebook
_LANGUAGE_INFO = {
    "name": "python",
    "version": platform.python_version(),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}
# how long the worker waits for a sign of life beyond the cell timeout before it kills the child
_GRACE = 30.0


class CellTimeout(TimeoutError):
    """Raised inside a cell that ran longer than the execution timeout."""


class ReportProcessDied(RuntimeError):
    """The process running a notebook's cells ended before the notebook did."""


def preload(modules: Sequence[str] = PRELOAD) -> None:
    """Import ``modules`` and warm matplotlib (fonts, Agg canvas): a worker's initializer.

    Every child forked afterwards starts with them loaded. A module that is not
    installed is skipped (the report that needs it will say so).
    """
    import importlib

    os.environ.update(REPORT_ENV)
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.set_title("Äpfel 1,5")
        ax.plot([0, 1], [0, 1], label="x")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    if "transferkit.templates" in sys.modules:
        from transferkit.templates import list_templates, load_template

        for name in list_templates():  # parsed once here, only copied in each report
            load_template(name)
    # papermill registers its engines lazily; make sure ours is there for this worker
    register()


def register() -> None:
    """Register :class:`ForkEngine` with papermill as :data:`ENGINE_NAME` (idempotent)."""
    papermill_engines.register(ENGINE_NAME, ForkEngine)


# ------------------------------------------------------------------ the child's shell
def _packed(obj: object) -> Any:
    """``obj`` as a kernel would send it: through jupyter_client's JSON packer and back."""
    from jupyter_client.session import json_packer

    return json.loads(json_packer(obj))


class _Publisher(DisplayPublisher):
    """Collects ``display()`` calls as ``display_data`` outputs of the running cell."""

    def publish(  # type: ignore[override, unused-ignore]
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        source: object = None,
        *,
        transient: dict[str, Any] | None = None,
        update: bool = False,
        **kwargs: object,
    ) -> None:
        shell = self.shell
        assert isinstance(shell, _ReportShell)
        output = {"output_type": "display_data", "data": data, "metadata": metadata or {}}
        display_id = (transient or {}).get("display_id")
        if update and display_id is not None:
            shell.update_display(display_id, output)
            return
        shell.add_output(output, display_id=display_id)

    def clear_output(self, wait: bool = False) -> None:
        shell = self.shell
        assert isinstance(shell, _ReportShell)
        shell.outputs.clear()


class _DisplayHook(DisplayHook):
    """The value of a cell's last expression as an ``execute_result`` output."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(
        self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None
    ) -> None:
        shell = self.shell
        assert isinstance(shell, _ReportShell)
        shell.add_output(
            {
                "output_type": "execute_result",
                "data": format_dict,
                "metadata": md_dict or {},
                "execution_count": self.prompt_count,
            }
        )

    def finish_displayhook(self) -> None:
        pass


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a cell: text becomes ``stream`` outputs, in order."""

    def __init__(self, shell: _ReportShell, name: str) -> None:
        super().__init__()
        self._shell, self._name = shell, name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            msg = f"write() argument must be str, not {type(text).__name__}"
            raise TypeError(msg)
        if text:
            self._shell.add_stream(self._name, text)
        return len(text)


class _ReportShell(InteractiveShell):
    """An IPython shell whose displays, results, streams and errors become notebook outputs
    (what ipykernel's shell sends to nbclient as messages)."""

    display_pub_class = _Publisher  # type: ignore[assignment, unused-ignore]
    displayhook_class = _DisplayHook  # type: ignore[assignment, unused-ignore]

    def __init__(self, **kwargs: Any) -> None:
        self.outputs: list[dict[str, Any]] = []
        self._display_ids: dict[str, list[int]] = {}
        super().__init__(**kwargs)  # type: ignore[no-untyped-call, unused-ignore]

    def add_output(self, output: dict[str, Any], display_id: str | None = None) -> None:
        self.outputs.append(_packed(output))
        if display_id is not None:
            self._display_ids.setdefault(str(display_id), []).append(len(self.outputs) - 1)

    def update_display(self, display_id: str, output: dict[str, Any]) -> None:
        packed = _packed(output)
        for index in self._display_ids.get(str(display_id), []):
            if index < len(self.outputs):
                self.outputs[index]["data"] = packed["data"]
                self.outputs[index]["metadata"] = packed["metadata"]

    def add_stream(self, name: str, text: str) -> None:
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text  # consecutive writes are one output, as nbclient makes them
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def _showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> None:
        self.outputs.append(
            _packed(
                {
                    "output_type": "error",
                    "ename": etype.__name__,
                    "evalue": str(evalue),
                    "traceback": list(stb),
                }
            )
        )

    def run_cell_outputs(
        self, source: str, cell_id: str | None
    ) -> tuple[list[dict[str, Any]], int | None, bool]:
        """Run one cell; its outputs, execution count and whether it succeeded."""
        self.outputs, self._display_ids = [], {}
        result = self.run_cell(source, store_history=True, silent=False, cell_id=cell_id)  # type: ignore[no-untyped-call, unused-ignore]
        return self.outputs, result.execution_count, bool(result.success)


def _new_shell() -> _ReportShell:
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no history file and no history-saving thread
    config.InteractiveShell.colors = "nocolor"
    InteractiveShell.clear_instance()  # a shell the forked process had is not the report's
    shell = _ReportShell.instance(config=config)
    assert isinstance(shell, _ReportShell)
    return shell


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CellTimeout` in the running code after ``seconds`` (none: no limit)."""
    if not seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        msg = f"the cell ran longer than the timeout of {seconds:g} s"
        raise CellTimeout(msg)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _send(pipe: IO[bytes], message: Mapping[str, object]) -> None:
    payload = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    pipe.write(struct.pack(">I", len(payload)) + payload)
    pipe.flush()


def _skipped(cell: NotebookNode) -> bool:
    """Cells nbclient does not execute: not code, empty, or tagged ``skip-execution``."""
    return (
        cell.cell_type != "code"
        or not str(cell.source).strip()
        or "skip-execution" in cell.get("metadata", {}).get("tags", [])
    )


def _run_child(
    cells: Sequence[NotebookNode], pipe: IO[bytes], timeout: float | None, env: Mapping[str, str]
) -> None:
    """In the forked child: run the cells in a fresh shell, one message per cell event."""
    os.environ.update(REPORT_ENV)
    os.environ.update(env)
    sys.stdin = io.StringIO()  # input() ends at once, as in a kernel without stdin
    shell = _new_shell()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(shell, "stdout"), _Stream(shell, "stderr")
    try:
        for index, cell in enumerate(cells):
            if _skipped(cell):
                _send(pipe, {"event": "start", "index": index})
                _send(pipe, {"event": "done", "index": index})
                continue
            # the execution count the cell will get, to name it should the process die in it
            _send(pipe, {"event": "start", "index": index, "count": shell.execution_count})
            try:
                with _time_limit(timeout):
                    outputs, count, ok = shell.run_cell_outputs(str(cell.source), cell.get("id"))
            except CellTimeout as error:  # the alarm rang outside the cell's own code
                shell.showtraceback((type(error), error, error.__traceback__))
                outputs, count, ok = list(shell.outputs), shell.execution_count, False
            done = {"event": "done", "index": index, "outputs": outputs, "count": count}
            _send(pipe, done | {"error": not ok})
            if not ok:
                break
        _send(pipe, {"event": "end"})
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    chunks, left = [], size
    while left:
        wait = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(wait, 0.0))
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _messages(fd: int, patience: float | None) -> Iterator[dict[str, Any]]:
    """Messages from the child until it closes the pipe (``EOFError``) or falls silent."""
    while True:
        deadline = time.monotonic() + (patience if patience else 10**9)
        (size,) = struct.unpack(">I", _read_exactly(fd, 4, deadline))
        yield json.loads(_read_exactly(fd, size, deadline))


def _fork_cells(
    cells: Sequence[NotebookNode], timeout: float | None, env: Mapping[str, str]
) -> tuple[int, int]:
    """Fork the child that runs ``cells``; return its pid and the pipe to read it from."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (the coverage of a child is not kept)
        code = 0
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                _run_child(cells, pipe, timeout, env)
        except BaseException:  # noqa: BLE001 - the child must always end here
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _exit_status(pid: int, kill: bool) -> str:
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


class ForkEngine(Engine):  # type: ignore[misc, unused-ignore]  # papermill has no annotations
    """papermill engine: the notebook's cells run in a child forked from this process."""

    @classmethod
    def execute_notebook(  # type: ignore[override, unused-ignore]
        cls,
        nb: NotebookNode,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> NotebookNode:
        """As papermill's own engines, but without writing the notebook after every cell
        (papermill writes it once at the end, and on an error)."""
        nb_man = NotebookExecutionManager(
            nb, output_path=None, log_output=log_output, progress_bar=False
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        result: NotebookNode = nb_man.nb
        return result

    @classmethod
    def execute_managed_notebook(  # type: ignore[override, unused-ignore]
        cls,
        nb_man: NotebookExecutionManager,
        kernel_name: str,
        execution_timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> NotebookNode:
        """Run the cells in a forked child and record each cell as nbclient would."""
        import nbformat

        nb = nb_man.nb
        pid, fd = _fork_cells(nb.cells, execution_timeout, dict(env or {}))
        patience = execution_timeout + _GRACE if execution_timeout else None
        current: int | None = None
        count: int | None = None
        ended, silent, status = False, False, ""
        try:
            for message in _messages(fd, patience):
                event = message["event"]
                if event == "start":
                    current, count = int(message["index"]), message.get("count")
                    nb_man.cell_start(nb.cells[current], current)
                elif event == "done":
                    cell = nb.cells[int(message["index"])]
                    if cell.cell_type == "code" and "count" in message:
                        cell.execution_count = message["count"]
                        cell.outputs = [nbformat.from_dict(o) for o in message["outputs"]]  # type: ignore[no-untyped-call, unused-ignore]
                    if message.get("error"):
                        nb_man.cell_exception(cell, cell_index=current)
                    nb_man.cell_complete(cell, cell_index=current)
                    current = None
                elif event == "end":
                    ended = True
        except EOFError:
            pass
        except TimeoutError:
            silent = True
        finally:  # whatever happened here, the child is gone afterwards (no zombie)
            os.close(fd)
            status = _exit_status(pid, kill=silent or not ended)
        if not ended:
            where = f" in cell In [{count}]" if current is not None and count else ""
            if current is not None:
                nb_man.cell_exception(nb.cells[current], cell_index=current)
                nb_man.cell_complete(nb.cells[current], cell_index=current)
            why = f"was silent for {patience:g} s and was stopped" if silent else "died"
            msg = f"the process running the notebook {why}{where} ({status})"
            raise ReportProcessDied(msg)
        nb.metadata["language_info"] = dict(_LANGUAGE_INFO)
        done: NotebookNode = nb
        return done


register()
