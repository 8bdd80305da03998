"""Meta-analysis of pilot effects: random-effects (REML, DerSimonian-Laird) and common-effect."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from transferkit.evaluation.checks import EvaluationInputError, check_numeric

__all__ = ["meta_analysis"]

# Checked against R metafor's published output for dat.bcg (13 BCG trials, log risk
# ratios): REML, DL and FE estimates, CIs, z, tau², I², Q and the REML prediction
# interval, to metafor's 4 decimals; sources in tests/test_meta_analysis.py.

METHODS = ("REML", "DL", "FE")

_COLUMNS = [
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

#: Fisher scoring for REML stops when tau² changes by less than this (metafor's
#: default is 1e-5; the tighter value makes the result independent of the start).
_THRESHOLD = 1e-10
#: ... or fails after this many steps (as metafor's ``maxiter``).
_MAXITER = 100

_Z975 = float(stats.norm.ppf(0.975))

_Array = npt.NDArray[np.float64]


def meta_analysis(
    data: pd.DataFrame,
    effect: str,
    variance: str,
    *,
    method: str = "REML",
) -> pd.DataFrame:
    """Pool one effect per pilot: random-effects or common-effect meta-analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per pilot (study) with its effect and the sampling variance of
        that effect (e.g. ``d_z`` of ``prepost`` and its variance, or a log
        risk ratio).
    effect, variance : str
        Names of the effect column and of the sampling-variance column
        (the squared standard error, not the standard error).
    method : {"REML", "DL", "FE"}
        How the between-pilot variance :math:`\\tau^2` is estimated:
        restricted maximum likelihood (``"REML"``, the default, as in R's
        metafor), DerSimonian-Laird (``"DL"``), or not at all: the
        common-effect (fixed-effect, inverse-variance) model (``"FE"``,
        metafor's ``"EE"``/``"FE"``), which sets :math:`\\tau^2 = 0`.

    Returns
    -------
    pandas.DataFrame
        One row with ``k`` (pilots used), ``k_dropped`` (rows left out because
        the effect or the variance is missing), ``estimate`` (pooled effect),
        ``se``, ``z``, ``p`` (two-sided, normal), ``ci95_low``, ``ci95_high``,
        ``tau2``, ``tau2_se`` (REML only, else NaN), ``i2`` (in percent),
        ``q``, ``df``, ``p_q`` (Cochran's Q test of heterogeneity) and
        ``pi95_low``, ``pi95_high`` (95% prediction interval of the effect
        in a new pilot).

    Notes
    -----
    With effects :math:`y_i`, sampling variances :math:`v_i`, weights
    :math:`w_i = 1/v_i` and :math:`k` pilots:

    .. math::

        \\hat\\mu_{FE} = \\frac{\\sum w_i y_i}{\\sum w_i}, \\quad
        Q = \\sum w_i (y_i - \\hat\\mu_{FE})^2, \\quad df = k - 1

        \\hat\\tau^2_{DL} = \\max\\left(0, \\frac{Q - (k - 1)}
        {\\sum w_i - \\sum w_i^2 / \\sum w_i}\\right)

    REML: Fisher scoring as in metafor's ``rma.uni``, started at the DL
    estimate (metafor starts elsewhere; the converged value is the same),

    .. math::

        \\tau^2 \\leftarrow \\tau^2 + \\frac{y' P P y - \\mathrm{tr}(P)}{\\mathrm{tr}(P P)},
        \\quad P = W - \\frac{W 1 1' W}{1' W 1}, \\quad W = \\mathrm{diag}(1/(v_i + \\tau^2)),

    halving a step that would make :math:`\\tau^2` negative (so
    :math:`\\tau^2 \\ge 0`); :math:`SE(\\hat\\tau^2) = \\sqrt{2 / \\mathrm{tr}(PP)}`.
    With :math:`w_i^* = 1/(v_i + \\hat\\tau^2)`:

    .. math::

        \\hat\\mu = \\frac{\\sum w_i^* y_i}{\\sum w_i^*}, \\quad
        SE = \\sqrt{1 / \\sum w_i^*}, \\quad
        CI = \\hat\\mu \\pm z_{0.975}\\, SE, \\quad
        PI = \\hat\\mu \\pm z_{0.975} \\sqrt{\\hat\\tau^2 + SE^2}

        I^2 = 100\\,\\frac{\\hat\\tau^2}{\\hat\\tau^2 + s^2}, \\quad
        s^2 = \\frac{(k - 1) \\sum w_i}{(\\sum w_i)^2 - \\sum w_i^2}

    (metafor's "typical" within-study variance). The common-effect model
    (``"FE"``) has :math:`\\hat\\tau^2 = 0`, so its prediction interval equals
    its confidence interval, and :math:`I^2 = \\max(0, 100 (Q - df) / Q)` as in
    metafor (0 when :math:`Q = 0`). CI and PI use normal quantiles (metafor's
    default ``test="z"``), not the Knapp-Hartung or t-based versions.

    Rows with a missing effect or variance are left out and counted in
    ``k_dropped`` (metafor omits them too); infinite values, variances that are
    zero or negative, and fewer than two remaining pilots raise
    :class:`EvaluationInputError`.

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials*, 7(3), 177–188.

    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
    meta-analysis. *Statistics in Medicine*, 21(11), 1539–1558.

    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance
    estimators in the random-effects model. *Journal of Educational and
    Behavioral Statistics*, 30(3), 261–293.

    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor
    package. *Journal of Statistical Software*, 36(3), 1–48.
    https://doi.org/10.18637/jss.v036.i03

    Examples
    --------
    The BCG vaccine trials (Colditz et al. 1994, metafor's ``dat.bcg``), log
    risk ratios as ``escalc(measure="RR")`` computes them:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from transferkit.evaluation import meta_analysis
    >>> tpos = np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27])
    >>> tneg = np.array([119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886])
    >>> cpos = np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29])
    >>> cneg = np.array([128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825])
    >>> bcg = pd.DataFrame({
    ...     "yi": np.log(tpos / (tpos + tneg)) - np.log(cpos / (cpos + cneg)),
    ...     "vi": 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg),
    ... })
    >>> res = meta_analysis(bcg, effect="yi", variance="vi")
    >>> res[["k", "estimate", "se", "ci95_low", "ci95_high", "tau2", "i2"]].round(4)
        k  estimate      se  ci95_low  ci95_high    tau2       i2
    0  13   -0.7145  0.1798   -1.0669    -0.3622  0.3132  92.2214
    """
    if method not in METHODS:
        shown = ", ".join(repr(m) for m in METHODS)
        msg = f"method must be one of {shown}, got {method!r}."
        raise EvaluationInputError(msg)
    check_numeric(data, [effect, variance])
    y_all = data[effect].to_numpy(dtype=float, na_value=np.nan)
    v_all = data[variance].to_numpy(dtype=float, na_value=np.nan)
    keep = ~(np.isnan(y_all) | np.isnan(v_all))
    y, v = y_all[keep], v_all[keep]
    labels = data.index[keep]
    _check_values(y, v, labels, effect, variance)
    k = len(y)
    dropped = len(y_all) - k
    if k < 2:
        msg = (
            f"A pooled estimate needs at least two pilots with both {effect!r} and "
            f"{variance!r}; got {k}"
            + (f" ({dropped} row(s) left out for missing values)" if dropped else "")
            + "."
        )
        raise EvaluationInputError(msg)

    w = 1.0 / v
    sw = float(w.sum())
    sw2 = float((w * w).sum())
    mu_fe = float((w * y).sum()) / sw
    q = float((w * (y - mu_fe) ** 2).sum())
    df = k - 1
    c = sw - sw2 / sw  # > 0 for k >= 2 and positive weights

    tau2_se = float("nan")
    if method == "FE":
        tau2 = 0.0
        i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
    else:
        tau2 = max(0.0, (q - df) / c)
        if method == "REML":
            tau2, tau2_se = _reml(y, v, tau2)
        s2 = df / c  # = (k - 1) sum(w) / ((sum w)^2 - sum(w^2))
        i2 = 100.0 * tau2 / (tau2 + s2)

    ws = 1.0 / (v + tau2)
    estimate = float((ws * y).sum()) / float(ws.sum())
    se = float(np.sqrt(1.0 / ws.sum()))
    z = estimate / se
    half_ci = _Z975 * se
    half_pi = _Z975 * float(np.sqrt(tau2 + se * se))
    row = {
        "k": k,
        "k_dropped": dropped,
        "estimate": estimate,
        "se": se,
        "z": z,
        "p": float(2 * stats.norm.sf(abs(z))),
        "ci95_low": estimate - half_ci,
        "ci95_high": estimate + half_ci,
        "tau2": tau2,
        "tau2_se": tau2_se,
        "i2": i2,
        "q": q,
        "df": df,
        "p_q": float(stats.chi2.sf(q, df)),
        "pi95_low": estimate - half_pi,
        "pi95_high": estimate + half_pi,
    }
    out = pd.DataFrame([row], columns=_COLUMNS)
    return out.astype({"k": np.int64, "k_dropped": np.int64, "df": np.int64})


def _check_values(y: _Array, v: _Array, labels: pd.Index, effect: str, variance: str) -> None:
    """Raise for infinite effects or variances and for variances that are not positive."""
    for name, values in ((effect, y), (variance, v)):
        bad = ~np.isfinite(values)
        if bad.any():
            shown = ", ".join(repr(r) for r in labels[bad][:5])
            msg = f"Column {name!r} has infinite values (rows {shown}); use finite numbers or NaN."
            raise EvaluationInputError(msg)
    bad = v <= 0
    if bad.any():
        shown = ", ".join(
            f"{r!r} ({x:g})" for r, x in zip(labels[bad][:5], v[bad][:5], strict=True)
        )
        msg = (
            f"Column {variance!r} must hold sampling variances greater than 0; "
            f"found in rows {shown}. A variance is the squared standard error."
        )
        raise EvaluationInputError(msg)


def _reml(y: _Array, v: _Array, start: float) -> tuple[float, float]:
    """REML estimate of tau² by Fisher scoring (metafor ``rma.uni``) and its standard error.

    For the intercept-only model :math:`P y = w (y - \\hat\\mu)`,
    :math:`\\mathrm{tr}(P) = \\sum w - \\sum w^2 / \\sum w` and
    :math:`\\mathrm{tr}(PP) = \\sum w^2 - 2 \\sum w^3 / \\sum w + (\\sum w^2)^2 / (\\sum w)^2`.
    """
    tau2 = start
    for _ in range(_MAXITER):
        w = 1.0 / (v + tau2)
        sw, sw2, sw3 = float(w.sum()), float((w * w).sum()), float((w**3).sum())
        mu = float((w * y).sum()) / sw
        py = w * (y - mu)
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
        step = (float(py @ py) - tr_p) / tr_pp
        new = tau2 + step
        halvings = 0
        while new < 0 and halvings < 60:  # step-halving keeps tau² >= 0, as in metafor
            step /= 2
            new = tau2 + step
            halvings += 1
        new = max(new, 0.0)
        change = abs(new - tau2)
        tau2 = new
        if change < _THRESHOLD:
            break
    else:
        msg = (
            f"The REML estimate of tau² did not converge in {_MAXITER} Fisher scoring steps; "
            "try method='DL'."
        )
        raise EvaluationInputError(msg)
    w = 1.0 / (v + tau2)
    sw, sw2, sw3 = float(w.sum()), float((w * w).sum()), float((w**3).sum())
    tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
    return tau2, float(np.sqrt(2.0 / tr_pp))
