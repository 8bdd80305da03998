"""Net Promoter Score (Reichheld 2003)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from transferkit.evaluation.checks import EvaluationInputError, as_float_array, check_range

__all__ = ["nps"]


def nps(scores: ArrayLike) -> pd.Series:
    """Net Promoter Score of 0–10 recommendation ratings.

    Parameters
    ----------
    scores : array-like or pandas.Series
        Answers to "How likely is it that you would recommend ...?" on 0..10;
        missing answers are left out.

    Returns
    -------
    pandas.Series
        ``n``, ``promoters``, ``passives``, ``detractors`` (shares 0–1) and
        ``nps`` (−100..+100).

    Notes
    -----
    Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6:

    .. math:: NPS = 100\\,(p_{promoters} - p_{detractors})

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard
    Business Review*, 81(12), 46–54.

    Examples
    --------
    >>> from transferkit.evaluation import nps
    >>> nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 5]).round(3)
    n             10.0
    promoters      0.5
    passives       0.2
    detractors     0.3
    nps           20.0
    dtype: float64

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> nps(read_dataset("training_feedback")["recommend"]).round(3)
    n             53.000
    promoters      0.302
    passives       0.585
    detractors     0.113
    nps           18.868
    dtype: float64
    """
    x = as_float_array(scores, "scores")
    x = x[~np.isnan(x)]
    check_range(x, 0, 10, "Recommendation scores", integer=True)
    n = x.size
    if n == 0:
        msg = "scores has no values: the NPS needs at least one answer."
        raise EvaluationInputError(msg)
    promoters = float(np.mean(x >= 9))
    detractors = float(np.mean(x <= 6))
    passives = 1.0 - promoters - detractors
    return pd.Series(
        {
            "n": float(n),
            "promoters": promoters,
            "passives": passives,
            "detractors": detractors,
            "nps": 100 * (promoters - detractors),
        }
    )
