"""Benchmark: 24 pilot reports, `transferkit report` batch versus the common shell loop.

Builds a generated network of 24 pilots (the demo network's six pilots, copied
three more times with new pilot ids and participant codes) in a temporary
SQLite store, then measures in the same run:

* batch:    one `transferkit report pilot P01 ... P24` process (papermill's Python API,
            one worker process per core, in-process HTML export);
* baseline: for each pilot, `papermill` CLI then `jupyter nbconvert --to html --no-input`,
            one after the other.

Prints both times, the time per report and the CPU seconds of each (all child
processes, summed: unlike wall time, hardly changed by other jobs on the machine;
`uptime` before and after says how busy it was); the wall-time ratio is the last line.

    .venv/bin/python benchmarks/bench_reports.py [--pilots 24] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "pilot_report.ipynb"
BIN = Path(sys.executable).parent


def build_network(url: str, n_pilots: int) -> list[str]:
    """The demo network with its pilots copied until there are ``n_pilots``."""
    from transferkit.datasets import import_demo, load_demo
    from transferkit.privacy import CODE_ALPHABET
    from transferkit.store import Store
    from transferkit.templates import load_template

    store = Store(url)
    import_demo(store)
    demo = load_demo()
    base = list(demo.pilots["pilot_id"])
    templates = {name: load_template(name) for name in {r["template"] for r in demo.responses}}
    pilots = list(base)
    copy = 0
    with store.bulk():
        while len(pilots) < n_pilots:
            copy += 1

            def code(c: str, shift: int = copy) -> str:
                return "".join(
                    CODE_ALPHABET[(CODE_ALPHABET.index(ch) + shift) % len(CODE_ALPHABET)]
                    for ch in c
                )

            for _, p in demo.pilots.iterrows():
                if len(pilots) >= n_pilots:
                    break
                new = f"P{len(pilots) + 1:02d}"
                pilots.append(new)
                store.add_pilot(
                    new,
                    f"{p['title_de']} ({copy + 1})",
                    f"{p['title_en']} ({copy + 1})",
                    network=str(demo.network["network_id"].iloc[0]),
                    topic=str(p["topic"]),
                    companies=str(p["companies"]),
                    start=p["start"].date(),
                    end=p["end"].date(),
                    loops=int(p["loops"]),
                )
                people = demo.participants[demo.participants["pilot_id"] == p["pilot_id"]]
                for _, person in people.iterrows():
                    store.add_participant(
                        code(person["participant"]), company=person["company_id"], pilot=new
                    )
                for record in demo.responses:
                    if record["pilot"] != p["pilot_id"]:
                        continue
                    store.submit(
                        templates[record["template"]],
                        record["answers"],
                        pilot=new,
                        loop=record["loop"],
                        phase=record["phase"],
                        participant=code(record["participant"]),
                        submission_id=str(
                            uuid.uuid5(uuid.NAMESPACE_URL, f"{record['submission_id']}/{new}")
                        ),
                        submitted_at=record["submitted_at"],
                    )
                items = demo.action_items[demo.action_items["pilot_id"] == p["pilot_id"]]
                for _, item in items.iterrows():
                    closed = item["loop_closed"]
                    store.add_action_item(
                        new,
                        int(item["loop_raised"]),
                        str(item["what"]),
                        owner=str(item["owner"]),
                        due=item["due"].date(),
                        status=str(item["status"]),
                        loop_closed=None if pd.isna(closed) else int(closed),
                    )
    return pilots


def adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux), so that the CPU
    time of a process that outlives its parent (a fork server, a kernel) is counted too."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_child_subreaper = 36
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def reap_orphans() -> None:
    """Wait for every remaining descendant (the adopted orphans) to end."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def children_cpu() -> float:
    """CPU seconds (user + system) of all waited-for descendants so far."""
    reap_orphans()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def uptime() -> str:
    """The load averages (1, 5, 15 min)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_batch(url: str, pilots: list[str], out: Path, workers: int | None) -> float:
    """`transferkit report pilot ...` as one process (the CLI's own code path)."""
    args = ["pilot", *pilots, "--db", url, "--out", str(out)]
    if workers:
        args += ["--workers", str(workers)]
    code = f"from transferkit.cli.report import report; report({args!r})"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        print("batch failed:", *done.stderr.splitlines()[-8:], sep="\n  ")
    return seconds


def run_baseline(url: str, pilots: list[str], out: Path) -> float:
    """The shell loop: papermill CLI, then nbconvert, one pilot after the other."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for pilot in pilots:
        executed = out / f"pilot_{pilot}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(NOTEBOOK),
                str(executed),
                "-p",
                "db",
                url,
                "-p",
                "pilot_id",
                pilot,
                "-k",
                "python3",
                "--no-progress-bar",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=24)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        os.environ.update(HOME=str(home), MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
        url = f"sqlite:///{Path(tmp) / 'network.db'}"
        start = time.perf_counter()
        pilots = build_network(url, args.pilots)
        print(f"network: {len(pilots)} pilots built in {time.perf_counter() - start:.1f} s")
        print(f"cores: {os.cpu_count()}, workers: {args.workers or os.cpu_count()}")
        print(f"load average before: {uptime()}")
        adopt_orphans()
        cpu = children_cpu()
        batch = run_batch(url, pilots, Path(tmp) / "batch", args.workers)
        batch_cpu, cpu = children_cpu() - cpu, children_cpu()
        made = len(list((Path(tmp) / "batch").glob("pilot_*.html")))
        print(
            f"batch    (transferkit report pilot ...): {batch:7.1f} s, "
            f"{batch / len(pilots):5.2f} s per report ({made} made), {batch_cpu:6.1f} CPU-s"
        )
        print(f"load average after the batch: {uptime()}")
        baseline = run_baseline(url, pilots, Path(tmp) / "baseline")
        baseline_cpu = children_cpu() - cpu
        made = len(list((Path(tmp) / "baseline").glob("pilot_*.html")))
        print(
            f"baseline (papermill + nbconvert CLI):    {baseline:7.1f} s, "
            f"{baseline / len(pilots):5.2f} s per report ({made} made), {baseline_cpu:6.1f} CPU-s"
        )
        print(f"load average after the baseline: {uptime()}")
        print(f"CPU-seconds ratio: {baseline_cpu / batch_cpu:.2f}x")
        print(f"ratio: {baseline / batch:.2f}x")


if __name__ == "__main__":
    main()
