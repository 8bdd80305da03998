"""Small-group protection in published tables that subtraction cannot undo.

Hiding a small group's count is not enough when the table also shows the other
groups and their total: the hidden cell is the total minus the cells shown
(micro companies = 60 − 37 − 15 = 8). This module applies **complementary
(secondary) suppression**: after the small groups (the primary cells) are hidden,
further cells are hidden until no hidden cell can be worked out from what is
shown, by any combination of shown cells and margins.

The tables are described as cells with additive **margins**: each margin is a list
of cells whose sum is published (a table's total, a row or column sum, the
number of participants in a report's subtitle). Counts cannot be negative, so an
attacker knows each hidden cell lies in an interval; :func:`disclosure_intervals`
computes that interval exactly as linear programmes (minimise and maximise the
cell subject to the published margins and ``x >= 0``; the audit of statistical
offices, e.g. Hundepool et al. 2012, *Statistical Disclosure Control*, Wiley,
section 5.4, "The audit"). A hidden cell is protected when its interval has more
than one point.

Means follow the same rule on sums: a group's mean with its count is its sum
``n · mean``; protect the sums and show ``–`` for the means of hidden cells.

Examples
--------
The participation table of the demo network by company size (total 60 people):

>>> from transferkit.disclosure import suppress, disclosure_intervals
>>> values = [37, 8, 15]  # medium (6 companies), micro (2), small (4)
>>> hidden = suppress(values, primary=[False, True, False], margins=[[0, 1, 2]])
>>> hidden.tolist()  # micro alone could be recovered: the smallest other cell goes too
[False, True, True]
>>> disclosure_intervals(values, hidden, [[0, 1, 2]])
   cell  value  low  high  exact
0     1      8  0.0  23.0  False
1     2     15  0.0  23.0  False
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = ["disclosure_intervals", "recoverable", "suppress"]

#: Intervals narrower than this count as one point (the data are counts or sums of ratings).
_TOLERANCE = 1e-6


def _check(
    values: Sequence[float], margins: Sequence[Sequence[int]]
) -> tuple[NDArray[np.float64], list[list[int]]]:
    import numpy as np

    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or not np.isfinite(array).all() or (array < 0).any():
        msg = "values must be a list of non-negative finite numbers (counts or sums)"
        raise ValueError(msg)
    cells = []
    for margin in margins:
        cell_list = [int(c) for c in margin]
        if any(not 0 <= c < len(array) for c in cell_list) or len(set(cell_list)) != len(cell_list):
            msg = f"a margin lists cells 0 … {len(array) - 1} once each, got {list(margin)}"
            raise ValueError(msg)
        cells.append(cell_list)
    return array, cells


def disclosure_intervals(
    values: Sequence[float],
    hidden: Sequence[bool] | NDArray[np.bool_],
    margins: Sequence[Sequence[int]],
) -> pd.DataFrame:
    """What an attacker can learn about each hidden cell from the shown cells and margins.

    Parameters
    ----------
    values : list of float
        The true values of all cells (non-negative: counts or sums).
    hidden : list of bool
        Which cells are not shown.
    margins : list of list of int
        Each margin is the list of cells whose sum is published.

    Returns
    -------
    pandas.DataFrame
        One row per hidden cell: ``cell`` (its index), ``value``, ``low`` and ``high``
        (the smallest and largest value consistent with everything published, given
        that no cell is negative) and ``exact`` (``low == high``: the cell is disclosed).

    Notes
    -----
    With the hidden cells :math:`x_H \\ge 0` and for each margin :math:`m` the published
    residual :math:`r_m = \\text{margin}_m - \\sum_{\\text{shown } j \\in m} v_j`, the
    interval of a hidden cell :math:`c` is
    :math:`[\\min x_c, \\max x_c]` subject to :math:`\\sum_{j \\in m \\cap H} x_j = r_m`
    for every margin (two linear programmes, solved with SciPy's HiGHS). Every
    subtraction an attacker can try is a linear combination of these equations,
    so a cell not pinned to one point by them cannot be recovered exactly.
    """
    import numpy as np
    import pandas as pd
    from scipy.optimize import linprog

    array, cells = _check(values, margins)
    mask = np.asarray(hidden, dtype=bool)
    if mask.shape != array.shape:
        msg = f"hidden must have one entry per cell ({len(array)}), got {mask.size}"
        raise ValueError(msg)
    index = np.flatnonzero(mask)
    rows = []
    if index.size:
        position = {int(c): k for k, c in enumerate(index)}
        a_eq = np.zeros((len(cells), index.size))
        b_eq = np.zeros(len(cells))
        for m, margin in enumerate(cells):
            b_eq[m] = array[margin].sum()
            for c in margin:
                if mask[c]:
                    a_eq[m, position[c]] = 1.0
                else:
                    b_eq[m] -= array[c]
        for k, cell in enumerate(index.tolist()):
            bounds = []
            for sign in (1.0, -1.0):
                objective = np.zeros(index.size)
                objective[k] = sign
                result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
                if result.status == 3:  # unbounded above: no margin holds the cell
                    bounds.append(np.inf)
                elif result.status != 0:
                    msg = f"the disclosure audit failed for cell {cell}: {result.message}"
                    raise RuntimeError(msg)
                else:
                    bounds.append(sign * float(result.fun))
            low, high = bounds
            rows.append(
                {
                    "cell": cell,
                    "value": int(array[cell]) if array[cell].is_integer() else float(array[cell]),
                    "low": low,
                    "high": high,
                    "exact": bool(high - low < _TOLERANCE),
                }
            )
    return pd.DataFrame(rows, columns=["cell", "value", "low", "high", "exact"])


def recoverable(
    values: Sequence[float],
    hidden: Sequence[bool] | NDArray[np.bool_],
    margins: Sequence[Sequence[int]],
) -> list[int]:
    """The hidden cells whose value follows exactly from what is shown (see :func:`disclosure_intervals`).

    >>> recoverable([37, 8, 15], [False, True, False], [[0, 1, 2]])
    [1]
    """
    audit = disclosure_intervals(values, hidden, margins)
    return [int(c) for c in audit.loc[audit["exact"], "cell"]]


def suppress(
    values: Sequence[float],
    primary: Sequence[bool],
    margins: Sequence[Sequence[int]],
    *,
    unprotectable: Literal["raise", "hide"] = "raise",
) -> NDArray[np.bool_]:
    """Which cells to hide: the ``primary`` (small) cells and as few others as it takes.

    Parameters
    ----------
    values : list of float
        The cells' values (non-negative counts or sums).
    primary : list of bool
        The cells that must not be shown (e.g. groups of fewer than three companies).
    margins : list of list of int
        The published sums: each is the list of cells it adds up.
    unprotectable : {"raise", "hide"}
        What to do when a cell follows from its margins even with every other cell of
        them hidden (the margin is the cell itself, or its other cells sum to 0):
        ``"raise"`` a ``ValueError`` (the margin should then not be published), or
        ``"hide"`` the cells anyway and go on (when the margin is public elsewhere, e.g.
        a network's number of participants, and hiding more cannot help).

    Returns
    -------
    numpy.ndarray of bool
        ``True`` for every cell to hide; no hidden cell is :func:`recoverable` (except,
        with ``unprotectable="hide"``, cells that no suppression can protect).

    Notes
    -----
    Greedy complementary suppression: while a hidden cell can be recovered, hide the
    smallest shown cell of a margin that holds it (the least information lost).
    """
    import numpy as np

    array, cells = _check(values, margins)
    hidden = np.asarray(primary, dtype=bool).copy()
    if hidden.shape != array.shape:
        msg = f"primary must have one entry per cell ({len(array)}), got {hidden.size}"
        raise ValueError(msg)
    given_up: set[int] = set()
    while True:
        exposed = [c for c in recoverable(array.tolist(), hidden, cells) if c not in given_up]
        if not exposed:
            return hidden
        candidates = {c for margin in cells if exposed[0] in margin for c in margin} - set(
            np.flatnonzero(hidden).tolist()
        )
        if candidates:
            hidden[min(candidates, key=lambda c: (array[c], c))] = True
        elif unprotectable == "hide":
            given_up.add(exposed[0])
        else:
            msg = (
                f"cell {exposed[0]} follows from its margins even with every other cell "
                "hidden (their sum is 0, or the margin is the cell itself): do not publish "
                "these margins"
            )
            raise ValueError(msg)
