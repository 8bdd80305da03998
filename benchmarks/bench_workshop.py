"""Benchmark: workshop sheets in Chromium against a real ``transferkit serve``.

Measures, in headless Chromium driven by Playwright (Debian's /usr/bin/chromium):

1. **Time to interactive** of a sheet (``needs_analysis``, the default join
   link): from ``page.goto`` until the submit button ``.tk-submit`` is visible
   and enabled. Cold (``transferkit serve --pool-size 0``: a kernel is started
   for each visitor) versus preheated (``transferkit serve``'s default pool of
   2 preheated kernels). Each visit uses a fresh browser context (empty HTTP
   cache); between visits the server's process tree is left to go idle (the
   pool refills). Median of ``--reps`` visits after one unmeasured warm-up.
2. **Load**: ``--participants`` (30) participants arrive evenly spread over
   ``--window`` seconds at the SAME preheated server; at most ``--pages``
   browser pages are open at once (light clients, not 30 tabs). Each
   participant opens the sheet with their own code, answers every question
   (the template's example answers) and submits. Submit latency is measured in
   the page: click on ``.tk-submit`` until ``.tk-confirm`` is visible
   (``performance.now()``, no Playwright round trip in the figure). Afterwards
   the store is read: responses stored must equal submissions confirmed.
   Server memory: RSS of the Voilà process plus all its kernels (psutil),
   divided by the number of participants.

Everything runs on 127.0.0.1 in a temporary folder (temporary SQLite store,
HOME and Jupyter dirs); the servers are stopped at the end. The last line is
the cold/preheated ratio of the time to interactive.

    .venv/bin/python benchmarks/bench_workshop.py [--reps 3] [--participants 30] [--pages 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEMPLATE = "needs_analysis"
PILOT = "P01"
INTERACTIVE = ".tk-submit:enabled"

# In the page: click submit, resolve with the ms until .tk-confirm is visible
# (or an error summary shows up, or 30 s pass).
SUBMIT_JS = """
() => new Promise((resolve) => {
  const shown = (sel) => {
    const el = document.querySelector(sel);
    return el !== null && el.offsetParent !== null && el.textContent.trim() !== "";
  };
  const button = document.querySelector(".tk-submit");
  const t0 = performance.now();
  let done = false;
  const finish = (result) => {
    if (done) return;
    done = true;
    observer.disconnect();
    clearInterval(poll);
    resolve(result);
  };
  const check = () => {
    if (shown(".tk-confirm")) finish({ok: true, ms: performance.now() - t0});
    else if (shown(".tk-error-summary")) finish({ok: false, ms: performance.now() - t0,
      error: document.querySelector(".tk-error-summary").textContent});
    else if (performance.now() - t0 > 30000) finish({ok: false, ms: 30000, error: "timeout"});
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true});
  const poll = setInterval(check, 5);
  button.click();
})
"""

# In the page: answer radio and checkbox questions (one click each, like a participant).
CLICK_JS = """
(clicks) => {
  for (const [selector, index] of clicks) {
    const els = document.querySelectorAll(selector);
    if (els.length <= index) return selector;
    const el = els[index];
    if (!el.checked) el.click();
  }
  return null;
}
"""


# --------------------------------------------------------------------------- server
@dataclass
class Server:
    """A running ``transferkit serve`` (its own session) on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, query: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/sheet.ipynb?{query}"

    def voila(self) -> psutil.Process | None:
        try:
            children = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return None
        for child in children:  # ``python -m transferkit.serve ...`` (Voilà) or ``... voila ...``
            try:
                cmdline = " ".join(child.cmdline()).lower()
            except psutil.Error:
                continue
            if "voila" in cmdline or "transferkit.serve" in cmdline:
                return child
        return None

    def tree(self) -> list[psutil.Process]:
        """The Voilà process and all its children (the kernels)."""
        voila = self.voila()
        if voila is None:
            return []
        try:
            return [voila, *voila.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> int:
        n = 0
        for proc in self.tree()[1:]:
            try:
                if "ipykernel" in " ".join(proc.cmdline()):
                    n += 1
            except psutil.Error:
                continue
        return n

    def rss_mb(self) -> float:
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total / 2**20

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        return total

    def wait_idle(self, min_kernels: int, timeout: float = 120.0, quiet: float = 0.1) -> float:
        """Wait until ``min_kernels`` kernels run and the tree uses < ``quiet`` of a core; seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            before = self.cpu_seconds()
            time.sleep(1.0)
            busy = self.cpu_seconds() - before
            if self.kernels() >= min_kernels and busy < quiet:
                return time.monotonic() - start
        print(f"  (server not idle after {timeout:.0f} s; going on)", flush=True)
        return time.monotonic() - start


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(tmp: Path, store_url: str, *, pool_size: int, name: str) -> Server:
    """``transferkit serve`` on 127.0.0.1 (pool_size 0: no preheating)."""
    from transferkit.serve import wait_for_port

    port = free_port()
    log = tmp / f"serve-{name}.log"
    env = dict(os.environ)
    home = tmp / "home"
    for key, sub in (("HOME", ""), ("JUPYTER_CONFIG_DIR", "jupyter/config"),
                     ("JUPYTER_DATA_DIR", "jupyter/data"), ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"),
                     ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        path = home / sub if sub else home
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    env.update(TRANSFERKIT_DB=store_url, MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1")
    argv = [str(BIN / "transferkit"), "serve", "--host", "127.0.0.1", "--port", str(port),
            "--db", store_url, "--pool-size", str(pool_size), "--workshops", str(WORKSHOPS)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, cwd=str(tmp), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port("127.0.0.1", port, timeout=90, process=process)
    return Server(process, port, log)


def stop(server: Server) -> None:
    """SIGINT (as Ctrl+C) to ``transferkit serve``, then the whole session if needed."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)  # leftover kernels of this session only
    except ProcessLookupError:
        pass
    if server.process.poll() is None:
        server.process.wait(timeout=10)


# --------------------------------------------------------------------------- browser work
def plan_answers(template: Any, seed: int) -> tuple[list[tuple[str, int]], dict[str, str]]:
    """(selector, index) clicks for radios/checkboxes and text fills for the example answers."""
    answers = template.example_answers(seed=seed)
    clicks: list[tuple[str, int]] = []
    fills: dict[str, str] = {}
    for q in template.all_questions(None):
        if q.id not in answers:
            continue
        value = answers[q.id]
        if q.type in ("likert", "single_choice"):
            values = [p.value for p in q.points] if q.type == "likert" else [o.value for o in q.options]
            clicks.append((f".tk-q-{q.id} input[type=radio]", values.index(value)))
        elif q.type == "multi_choice":
            clicks += [(f".tk-q-{q.id} .tk-opt-{v} input[type=checkbox]", 0) for v in value]
        elif q.type in ("text", "number"):
            fills[f".tk-q-{q.id} input"] = str(value)
        elif q.type == "long_text":
            fills[f".tk-q-{q.id} textarea"] = "\n".join(value) if isinstance(value, list) else str(value)
    return clicks, fills


async def time_to_interactive(browser: Any, url: str) -> float:
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, wait_until="commit", timeout=120_000)
        await page.wait_for_selector(INTERACTIVE, state="visible", timeout=120_000)
        return time.perf_counter() - start
    finally:
        await context.close()


async def measure_tti(server: Server, reps: int, label: str, pool: int) -> list[float]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(reps + 1):  # the first visit warms the disk cache and is not counted
                await asyncio.to_thread(server.wait_idle, pool + i)
                url = server.url(f"template={TEMPLATE}&pilot={PILOT}&loop=1&code=TTI{label}{i:02d}")
                seconds = await time_to_interactive(browser, url)
                if i:
                    times.append(seconds)
                print(f"  {label} visit {i}{' (warm-up)' if i == 0 else ''}: {seconds:.2f} s", flush=True)
        finally:
            await browser.close()
    return times


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    tti: list[float] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_kernels: int = 0
    duration: float = 0.0


async def run_load(server: Server, n: int, window: float, pages: int) -> LoadResult:
    """``n`` participants arriving evenly over ``window`` s, at most ``pages`` pages at once."""
    from playwright.async_api import async_playwright

    from transferkit.templates import load_template

    template = load_template(TEMPLATE)
    result = LoadResult()
    gate = asyncio.Semaphore(pages)
    run = uuid.uuid4().hex[:4].upper()

    async def participant(i: int, browser: Any, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + i * window / n - time.perf_counter()))
        code = f"L{run}{i:03d}"
        async with gate:
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            context.set_default_timeout(120_000)
            try:
                page = await context.new_page()
                start = time.perf_counter()
                await page.goto(server.url(f"template={TEMPLATE}&pilot={PILOT}&loop=1&code={code}"),
                                wait_until="commit")
                await page.wait_for_selector(INTERACTIVE, state="visible")
                result.tti.append(time.perf_counter() - start)
                clicks, fills = plan_answers(template, seed=i)
                missing = await page.evaluate(CLICK_JS, clicks)
                if missing:
                    raise RuntimeError(f"no element for {missing}")
                for selector, text in fills.items():
                    await page.fill(selector, text)
                await page.wait_for_timeout(300)  # a participant looks over the sheet
                outcome = await page.evaluate(SUBMIT_JS)
                if outcome["ok"]:
                    result.latencies_ms.append(float(outcome["ms"]))
                    result.confirmed.append(code)
                else:
                    result.failures.append(f"{code}: {outcome.get('error', '?')[:120]}")
            except Exception as error:  # noqa: BLE001 - report, do not stop the others
                result.failures.append(f"{code}: {type(error).__name__}: {str(error)[:160]}")
            finally:
                result.peak_rss_mb = max(result.peak_rss_mb, server.rss_mb())
                result.peak_kernels = max(result.peak_kernels, server.kernels())
                await context.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            t0 = time.perf_counter()
            await asyncio.gather(*(participant(i, browser, t0) for i in range(n)))
            result.duration = time.perf_counter() - t0
        finally:
            await browser.close()
    return result


# --------------------------------------------------------------------------- report
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (cores: {os.cpu_count()})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="measured visits per mode")
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--window", type=float, default=45.0, help="arrivals spread over (s)")
    parser.add_argument("--pages", type=int, default=4, help="browser pages open at once")
    parser.add_argument("--pool-size", type=int, default=2, help="preheated kernels (serve default)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install chromium")

    from transferkit.store import Store

    print(f"load average at start: {load_line()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tk-bench-workshop-") as tmpdir:
        tmp = Path(tmpdir)
        store_url = f"sqlite:///{tmp / 'store.db'}"
        store = Store(store_url)
        store.add_pilot(PILOT, "Pilot eins", "Pilot one", loops=3)
        store.close()

        print("cold: transferkit serve --pool-size 0", flush=True)
        cold_server = start_serve(tmp, store_url, pool_size=0, name="cold")
        try:
            cold = asyncio.run(measure_tti(cold_server, args.reps, "COLD", 0))
        finally:
            stop(cold_server)

        print(f"preheated: transferkit serve --pool-size {args.pool_size}", flush=True)
        started = time.perf_counter()
        server = start_serve(tmp, store_url, pool_size=args.pool_size, name="preheated")
        listening = time.perf_counter() - started
        ready = listening + server.wait_idle(args.pool_size)
        print(f"  server listening after {listening:.1f} s, pool filled and idle after {ready:.1f} s",
              flush=True)
        try:
            hot = asyncio.run(measure_tti(server, args.reps, "HOT", args.pool_size))
            server.wait_idle(args.pool_size + args.reps + 1)
            base_rss = server.rss_mb()
            base_kernels = server.kernels()
            print(f"load: {args.participants} participants over {args.window:.0f} s, "
                  f"{args.pages} pages at once (load average now {load_line()})", flush=True)
            load = asyncio.run(run_load(server, args.participants, args.window, args.pages))
            end_rss = server.rss_mb()
            end_kernels = server.kernels()
        finally:
            stop(server)

        store = Store(store_url)
        stored = store.responses(template=TEMPLATE, pilot=PILOT)
        store.close()
        codes = set(stored["participant"]) if not stored.empty else set()
        load_codes = [c for c in codes if isinstance(c, str) and c.startswith("L")]
        lost = [c for c in load.confirmed if c not in codes]
        duplicates = int(stored["participant"].duplicated().sum()) if not stored.empty else 0

        cold_med = statistics.median(cold)
        hot_med = statistics.median(hot)
        n = args.participants
        print()
        print(f"load average at end: {load_line()}")
        print(f"time to interactive, cold (no preheat): median {cold_med:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in cold)})")
        print(f"time to interactive, preheated (pool {args.pool_size}): median {hot_med:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in hot)})  target < 1.5 s")
        print(f"time to interactive under load: median {statistics.median(load.tti):.2f} s, "
              f"p95 {percentile(load.tti, 95):.2f} s" if load.tti else "time to interactive under load: -")
        print(f"participants: {n}, submitted and confirmed: {len(load.confirmed)}, "
              f"failed: {len(load.failures)}, all done after {load.duration:.1f} s "
              f"({'within' if load.duration <= 60 else 'NOT within'} one minute)")
        for failure in load.failures[:10]:
            print(f"  failure: {failure}")
        if load.latencies_ms:
            print(f"submit latency (click -> confirmation): p50 {percentile(load.latencies_ms, 50):.0f} ms, "
                  f"p95 {percentile(load.latencies_ms, 95):.0f} ms, max {max(load.latencies_ms):.0f} ms"
                  "  target p95 < 300 ms")
        print(f"responses stored: {len(load_codes)} (confirmed {len(load.confirmed)}; "
              f"confirmed but missing: {len(lost)}; duplicate participants: {duplicates})")
        print(f"server memory (voila + kernels): {base_rss:.0f} MB with {base_kernels} kernels before "
              f"the load, peak {load.peak_rss_mb:.0f} MB, {end_rss:.0f} MB with {end_kernels} kernels "
              f"after")
        print(f"server memory per participant: {end_rss / n:.0f} MB total/participants, "
              f"{(end_rss - base_rss) / n:.0f} MB added per participant")
        hot_log = server.log.read_text(errors="replace")
        print(f"visits served by a preheated kernel (preheated server): "
              f"{hot_log.count('Using pre-heated kernel')} of {args.reps + 1 + n}")
        if load.failures:
            keep = Path(tempfile.gettempdir()) / f"tk-bench-workshop-logs-{os.getpid()}"
            keep.mkdir(exist_ok=True)
            for log in tmp.glob("serve-*.log"):
                (keep / log.name).write_text(log.read_text(errors="replace"))
            print(f"server logs kept in {keep}")
        print(f"ratio cold/preheated time-to-interactive: {cold_med / hot_med:.1f}x")


if __name__ == "__main__":
    main()
