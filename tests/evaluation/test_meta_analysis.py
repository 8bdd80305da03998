"""meta_analysis: checked against R metafor's published output for the BCG vaccine data (dat.bcg).

Sources of the expected values (metafor prints 4 decimals; tested to 4 decimals):

- REML (``rma(yi, vi, data=dat)``): tau^2 = 0.3132 (SE = 0.1664), I^2 = 92.22%,
  Q(df = 12) = 152.2330, estimate -0.7145, se 0.1798, zval -3.9744, CI -1.0669 to
  -0.3622. tau^2, SE, I^2 and Q: metafor's README (github.com/wviechtb/metafor,
  README.md, example ``rma(yi, vi, data=dat, test="knha")``; tau^2, I^2 and Q do
  not depend on ``test``). Estimate, se, z and CI with the default ``test="z"``:
  printed output of ``metafor::rma(yi, vi, data = dat, method = "REML")`` in the
  RoBMA vignette (fbartos.github.io/RoBMA, random-effects section).
- REML prediction interval: ``predict(res, transf=exp)`` gives
  pred 0.4894, ci 0.3441 to 0.6962, pi 0.1546 to 1.5490 (a metafor 4.2-0 tutorial,
  "Metanálise em R - tutorial básico", L. S. R. Conceição, same model
  ``rma(yi, vi)`` on ``escalc(measure="RR", ...)`` of dat.bcg). This is a
  third-party print-out, hence compared on metafor's exp scale.
- DL and FE: metafor's own test file
  tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (results agree with
  Stata's metan): DL estimate -0.7141, CI -1.0644 to -0.3638, zval -3.9952,
  tau^2 0.3088, I^2 92.1173; FE estimate -0.4303, CI -0.5097 to -0.3509,
  zval -10.6247, QE 152.2330, exp scale 0.6503 (0.6007 to 0.7040).
- yi, vi of trial 1 (-0.8893, 0.3256): ``escalc(measure="RR")`` output in
  metafor's README.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from transferkit.evaluation import EvaluationInputError, meta_analysis

DATA = Path(__file__).parent / "data" / "dat_bcg.csv"

COLUMNS = [
    "k",
    "k_dropped",
    "estimate",
    "se",
    "z",
    "p",
    "ci95_low",
    "ci95_high",
    "tau2",
    "tau2_se",
    "i2",
    "q",
    "df",
    "p_q",
    "pi95_low",
    "pi95_high",
]


def bcg() -> pd.DataFrame:
    """dat.bcg with yi (log risk ratio) and vi as metafor's escalc(measure="RR") computes them."""
    d = pd.read_csv(DATA)
    n_t, n_c = d["tpos"] + d["tneg"], d["cpos"] + d["cneg"]
    d["yi"] = np.log((d["tpos"] / n_t) / (d["cpos"] / n_c))
    d["vi"] = 1 / d["tpos"] - 1 / n_t + 1 / d["cpos"] - 1 / n_c
    return d


def four(x: float) -> float:
    return round(float(x), 4)


def test_effect_sizes_match_escalc():
    d = bcg()
    assert len(d) == 13
    assert four(d["yi"][0]) == -0.8893  # metafor README, escalc(measure="RR")
    assert four(d["vi"][0]) == 0.3256
    assert four(d["yi"][12]) == -0.0173
    assert four(d["vi"][12]) == 0.0714


def test_reml_matches_metafor():
    res = meta_analysis(bcg(), effect="yi", variance="vi")
    assert list(res.columns) == COLUMNS
    assert len(res) == 1
    row = res.iloc[0]
    assert row["k"] == 13
    assert row["k_dropped"] == 0
    assert four(row["tau2"]) == 0.3132
    assert four(row["tau2_se"]) == 0.1664
    assert round(row["i2"], 2) == 92.22
    assert four(row["q"]) == 152.2330
    assert row["df"] == 12
    assert row["p_q"] < 1e-4  # metafor: p-val < .0001
    assert four(row["estimate"]) == -0.7145
    assert four(row["se"]) == 0.1798
    assert four(row["z"]) == -3.9744
    assert row["p"] < 1e-4  # metafor: pval < .0001
    assert four(row["ci95_low"]) == -1.0669
    assert four(row["ci95_high"]) == -0.3622
    # predict(res, transf=exp): pred 0.4894, ci 0.3441-0.6962, pi 0.1546-1.5490
    assert four(np.exp(row["estimate"])) == 0.4894
    assert four(np.exp(row["ci95_low"])) == 0.3441
    assert four(np.exp(row["ci95_high"])) == 0.6962
    assert four(np.exp(row["pi95_low"])) == 0.1546
    assert four(np.exp(row["pi95_high"])) == 1.5490


def test_reml_is_the_default_and_h2_follows_from_i2():
    d = bcg()
    assert meta_analysis(d, "yi", "vi").equals(meta_analysis(d, "yi", "vi", method="REML"))
    i2 = meta_analysis(d, "yi", "vi")["i2"].iloc[0]
    assert round(100 / (100 - i2), 2) == 12.86  # metafor: H^2 = 12.86


def test_dl_matches_metafor():
    row = meta_analysis(bcg(), "yi", "vi", method="DL").iloc[0]
    assert four(row["estimate"]) == -0.7141
    assert four(row["ci95_low"]) == -1.0644
    assert four(row["ci95_high"]) == -0.3638
    assert four(row["z"]) == -3.9952
    assert four(row["tau2"]) == 0.3088
    assert four(row["i2"]) == 92.1173
    assert four(row["q"]) == 152.2330
    # predict(res, transf=exp): 0.4896 (0.3449 to 0.6950)
    assert four(np.exp(row["estimate"])) == 0.4896
    assert four(np.exp(row["ci95_low"])) == 0.3449
    assert four(np.exp(row["ci95_high"])) == 0.6950
    assert np.isnan(row["tau2_se"])


def test_fe_matches_metafor():
    row = meta_analysis(bcg(), "yi", "vi", method="FE").iloc[0]
    assert four(row["estimate"]) == -0.4303
    assert four(row["se"]) == 0.0405
    assert four(row["ci95_low"]) == -0.5097
    assert four(row["ci95_high"]) == -0.3509
    assert four(row["z"]) == -10.6247
    assert four(row["q"]) == 152.2330
    assert four(np.exp(row["estimate"])) == 0.6503
    assert four(np.exp(row["ci95_low"])) == 0.6007
    assert four(np.exp(row["ci95_high"])) == 0.7040
    assert row["tau2"] == 0
    assert row["pi95_low"] == row["ci95_low"]
    assert row["pi95_high"] == row["ci95_high"]
    # metafor's I^2 for the FE model: (Q - df) / Q, here the same as with DL
    assert four(row["i2"]) == 92.1173


@pytest.mark.parametrize("method", ["REML", "DL", "FE"])
def test_formulas_by_hand(method):
    # independent recomputation from the formulas in the docstring
    d = bcg()
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()
    row = meta_analysis(d, "yi", "vi", method=method).iloc[0]
    w = 1 / v
    mu_fe = (w * y).sum() / w.sum()
    assert row["q"] == pytest.approx((w * (y - mu_fe) ** 2).sum())
    assert row["p_q"] == pytest.approx(stats.chi2.sf(row["q"], 12))
    ws = 1 / (v + row["tau2"])
    assert row["estimate"] == pytest.approx((ws * y).sum() / ws.sum())
    assert row["se"] == pytest.approx(np.sqrt(1 / ws.sum()))
    assert row["p"] == pytest.approx(2 * stats.norm.sf(abs(row["z"])))
    z = stats.norm.ppf(0.975)
    half = z * np.sqrt(row["tau2"] + row["se"] ** 2)
    assert row["pi95_low"] == pytest.approx(row["estimate"] - half)
    assert row["pi95_high"] == pytest.approx(row["estimate"] + half)


def test_reml_is_the_maximum_of_the_restricted_likelihood():
    d = bcg()
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()

    def restricted_loglik(t2: float) -> float:
        w = 1 / (v + t2)
        mu = (w * y).sum() / w.sum()
        return -0.5 * (np.log(v + t2).sum() + np.log(w.sum()) + (w * (y - mu) ** 2).sum())

    tau2 = meta_analysis(d, "yi", "vi").iloc[0]["tau2"]
    for t2 in (tau2 - 1e-4, tau2 + 1e-4, 0.0, 1.0):
        assert restricted_loglik(tau2) > restricted_loglik(t2)


def test_two_identical_studies():
    d = pd.DataFrame({"y": [0.5, 0.5], "v": [0.04, 0.04]})
    for method in ("REML", "DL", "FE"):
        row = meta_analysis(d, "y", "v", method=method).iloc[0]
        assert row["k"] == 2
        assert row["df"] == 1
        assert row["tau2"] == 0
        assert row["i2"] == 0
        assert row["q"] == pytest.approx(0)
        assert row["p_q"] == pytest.approx(1)
        assert row["estimate"] == pytest.approx(0.5)
        assert row["se"] == pytest.approx(np.sqrt(0.02))
        assert row["pi95_low"] == pytest.approx(row["ci95_low"])
        assert row["pi95_high"] == pytest.approx(row["ci95_high"])


def test_two_different_studies():
    # k = 2 with clear heterogeneity: Q = (1 - 0)^2 / (0.01 + 0.01) = 50, DL tau^2 = (50 - 1) / 100
    d = pd.DataFrame({"y": [0.0, 1.0], "v": [0.01, 0.01]})
    dl = meta_analysis(d, "y", "v", method="DL").iloc[0]
    assert dl["q"] == pytest.approx(50)
    assert dl["tau2"] == pytest.approx(0.49)
    assert dl["estimate"] == pytest.approx(0.5)
    # equal variances: REML tau^2 = sum((y - mean)^2) / (k - 1) - v = 0.5 - 0.01
    reml = meta_analysis(d, "y", "v").iloc[0]
    assert reml["tau2"] == pytest.approx(0.49, abs=1e-8)
    assert reml["i2"] == pytest.approx(100 * 0.49 / (0.49 + 0.01))


def test_missing_values_are_dropped_and_counted():
    d = bcg()[["yi", "vi"]]
    extra = pd.DataFrame({"yi": [np.nan, 0.3], "vi": [0.1, np.nan]})
    res = meta_analysis(pd.concat([d, extra], ignore_index=True), "yi", "vi").iloc[0]
    assert res["k"] == 13
    assert res["k_dropped"] == 2
    assert four(res["estimate"]) == -0.7145
    nullable = d.astype("Float64")
    nullable.loc[0, "yi"] = pd.NA
    assert meta_analysis(nullable, "yi", "vi").iloc[0]["k"] == 12


def test_input_errors_are_clear():
    d = pd.DataFrame({"y": [0.1, 0.2, 0.3], "v": [0.01, 0.02, 0.03], "t": ["a", "b", "c"]})
    with pytest.raises(EvaluationInputError, match=r"'var'.*not found.*Available columns"):
        meta_analysis(d, "y", "var")
    with pytest.raises(EvaluationInputError, match="Column 't' must be numeric"):
        meta_analysis(d, "t", "v")
    with pytest.raises(EvaluationInputError, match="must be a pandas DataFrame"):
        meta_analysis({"y": [1, 2]}, "y", "v")  # type: ignore[arg-type]
    with pytest.raises(EvaluationInputError, match="method must be one of 'REML', 'DL', 'FE'"):
        meta_analysis(d, "y", "v", method="reml")
    with pytest.raises(EvaluationInputError, match=r"greater than 0; found in rows 1 \(0\)"):
        meta_analysis(d.assign(v=[0.01, 0.0, 0.03]), "y", "v")
    with pytest.raises(EvaluationInputError, match=r"rows 2 \(-0.03\).*squared standard error"):
        meta_analysis(d.assign(v=[0.01, 0.02, -0.03]), "y", "v")
    with pytest.raises(EvaluationInputError, match="'y' has infinite values"):
        meta_analysis(d.assign(y=[0.1, np.inf, 0.3]), "y", "v")
    with pytest.raises(EvaluationInputError, match=r"at least two pilots.*got 1"):
        meta_analysis(d.iloc[:1], "y", "v")
    with pytest.raises(
        EvaluationInputError, match=r"got 1 \(2 row\(s\) left out for missing values\)"
    ):
        meta_analysis(d.assign(y=[0.1, np.nan, np.nan]), "y", "v")
    with pytest.raises(EvaluationInputError, match=r"at least two pilots.*got 0"):
        meta_analysis(d.iloc[:0], "y", "v")
