"""Benchmark: transferkit.evaluation on a synthetic network of 1,000,000 answer rows.

Builds a seeded network of about 2,000 companies (200 pilots of ten companies)
and times ``prepost`` per pilot, ``likert_summary``, ``loop_trends`` and
``needs_priorities``, each on a table of N answer rows, at N = 100k and 1M.
In the same run a straightforward per-group Python loop (scipy per pilot,
pandas per group) computes the same numbers at 1M rows; both results are
compared, then the ratio loop / vectorised is printed on the last line.

Run: ``.venv/bin/python benchmarks/bench_evaluation.py`` (about a minute on
2 cores; the loop baseline takes most of it).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

from transferkit.evaluation import likert_summary, loop_trends, needs_priorities, prepost

N_COMPANIES = 2_000
N_PILOTS = 200
ITEMS = [f"item_{i}" for i in range(1, 12)]
TOPICS = [
    "data_literacy",
    "digital_tools",
    "it_security",
    "ai_use",
    "communication",
    "self_organisation",
    "change_agility",
    "teamwork",
    "resource_efficiency",
    "sustainable_products",
    "csr_reporting",
]
METRICS = ["info_useful", "app_success", "exchange_quality", "loop_satisfaction"]


def build(n: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Four tables of ``n`` answer rows each."""
    rng = np.random.default_rng(seed)
    company = rng.integers(0, N_COMPANIES, n)
    pilot = np.array([f"P{i:03d}" for i in range(N_PILOTS)])[company % N_PILOTS]
    pre = rng.integers(1, 6, n).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, n), 1, 5)
    post[rng.random(n) < 0.02] = np.nan
    selfass = pd.DataFrame(
        {"pilot_id": pilot, "participant": np.arange(n), "pre": pre, "post": post}
    )
    likert = pd.DataFrame(rng.integers(1, 6, (n, len(ITEMS))).astype(float), columns=ITEMS)
    loops = pd.DataFrame({"pilot_id": pilot, "loop": rng.integers(1, 7, n)})
    for m in METRICS:
        loops[m] = rng.integers(1, 6, n).astype(float)
    cid = np.array([f"C{i:04d}" for i in range(N_COMPANIES)])
    needs = pd.DataFrame(
        {
            "company_id": cid[company],
            "topic": np.array(TOPICS)[rng.integers(0, len(TOPICS), n)],
            "importance": rng.integers(1, 6, n),
            "competence": rng.integers(1, 6, n),
        }
    )
    return {"selfass": selfass, "likert": likert, "loops": loops, "needs": needs}


def vectorised(t: dict[str, pd.DataFrame]) -> dict[str, float | pd.DataFrame]:
    out: dict[str, float | pd.DataFrame] = {}
    for name, call in {
        "prepost": lambda: prepost(t["selfass"], "pre", "post", group="pilot_id"),
        "likert": lambda: likert_summary(t["likert"], ITEMS, 5),
        "loops": lambda: loop_trends(t["loops"], METRICS),
        "needs": lambda: needs_priorities(t["needs"], area=None),
    }.items():
        start = time.perf_counter()
        out[name] = call()
        out[name + "_s"] = time.perf_counter() - start
    return out


def loop_baseline(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same numbers with one Python iteration per group."""
    rows = []
    for g, part in t["selfass"].groupby("pilot_id"):
        ok = part.dropna(subset=["pre", "post"])
        x, y = ok["pre"].to_numpy(), ok["post"].to_numpy()
        tt = stats.ttest_rel(y, x)
        w = stats.wilcoxon(y, x)
        d = y - x
        s1, s2 = x.std(ddof=1), y.std(ddof=1)
        r = np.corrcoef(x, y)[0, 1]
        d_z = d.mean() / d.std(ddof=1)
        d_av = d.mean() / ((s1 + s2) / 2)
        rows.append(
            {
                "pilot_id": g,
                "t": tt.statistic,
                "p_t": tt.pvalue,
                "w": w.statistic,
                "p_wilcoxon": w.pvalue,
                "d_z": d_z,
                "d_av": d_av,
                "d_rm": d_z * np.sqrt(2 * (1 - r)),
            }
        )
    pp = pd.DataFrame(rows)
    lk = []
    for item in ITEMS:
        x = t["likert"][item].dropna().to_numpy()
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        counts = {f"n_{v}": int((x == v).sum()) for v in range(1, 6)}
        lk.append(
            {
                "item": item,
                **counts,
                "median": np.median(x),
                "mean": x.mean(),
                "ci95_low": lo,
                "ci95_high": hi,
                "top2": 100 * np.mean(x >= 4),
            }
        )
    lt = []
    for m in METRICS:
        for p, part in t["loops"].groupby("pilot_id"):
            means = part.groupby("loop")[m].mean()
            slope = np.polyfit(means.index.to_numpy(float), means.to_numpy(), 1)[0]
            for loop, value in means.items():
                lt.append({"pilot_id": p, "loop": loop, "metric": m, "mean": value, "slope": slope})
    nd = []
    for (c, topic), part in t["needs"].groupby(["company_id", "topic"]):
        imp, comp = part["importance"].mean(), part["competence"].mean()
        nd.append(
            {"company_id": c, "topic": topic, "gap": imp - comp, "priority": imp * (imp - comp)}
        )
    return {
        "prepost": pp,
        "likert": pd.DataFrame(lk),
        "loops": pd.DataFrame(lt),
        "needs": pd.DataFrame(nd),
    }


def check_same(fast: dict, slow: dict) -> None:
    pp = fast["prepost"].iloc[:-1].reset_index(drop=True)
    for col in ["t", "p_t", "w", "p_wilcoxon", "d_z", "d_av", "d_rm"]:
        np.testing.assert_allclose(pp[col], slow["prepost"][col], rtol=1e-6, err_msg=col)
    for col in ["n_1", "median", "mean", "ci95_low", "ci95_high", "top2"]:
        np.testing.assert_allclose(fast["likert"][col], slow["likert"][col], rtol=1e-9)
    fl = fast["loops"].sort_values(["metric", "pilot_id", "loop"]).reset_index(drop=True)
    sl = slow["loops"].sort_values(["metric", "pilot_id", "loop"]).reset_index(drop=True)
    np.testing.assert_allclose(fl[["mean", "slope"]], sl[["mean", "slope"]], rtol=1e-9)
    fn = fast["needs"][fast["needs"]["scope"] == "company"].reset_index(drop=True)
    np.testing.assert_allclose(
        fn[["gap", "priority"]], slow["needs"][["gap", "priority"]], rtol=1e-9
    )


def main() -> None:
    parts = ["prepost", "likert", "loops", "needs"]
    results = {}
    for n in (100_000, 1_000_000):
        tables = build(n)
        vectorised(build(1_000))  # warm-up (imports, caches)
        res = vectorised(tables)
        total = sum(res[p + "_s"] for p in parts)
        split = ", ".join(f"{p} {res[p + '_s']:.2f} s" for p in parts)
        print(f"{n:>9,} rows: vectorised {total:.2f} s  ({split})")
        results[n] = (tables, res, total)
    tables, res, total = results[1_000_000]
    start = time.perf_counter()
    slow = loop_baseline(tables)
    loop_s = time.perf_counter() - start
    check_same(res, slow)
    print(f"1,000,000 rows: per-group Python loop {loop_s:.2f} s (same numbers: checked)")
    print(f"growth 100k -> 1M: {total / results[100_000][2]:.1f}x for 10x the rows")
    print(f"ratio loop / vectorised at 1M rows: {loop_s / total:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
