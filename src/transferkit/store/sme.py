"""SME size classes by the EU definition (Commission Recommendation 2003/361/EC)."""

from __future__ import annotations

from transferkit.exceptions import StoreError

__all__ = ["SIZE_CLASSES", "size_class"]

#: The three SME size classes, smallest first.
SIZE_CLASSES = ("micro", "small", "medium")

# (class, headcount below, turnover at most, balance sheet total at most), in EUR
_THRESHOLDS = (
    ("micro", 10, 2_000_000, 2_000_000),
    ("small", 50, 10_000_000, 10_000_000),
    ("medium", 250, 50_000_000, 43_000_000),
)


def size_class(
    employees: int,
    turnover_eur: float | None = None,
    balance_sheet_eur: float | None = None,
) -> str:
    """Return the SME size class ``"micro"``, ``"small"`` or ``"medium"``.

    EU definition (Recommendation 2003/361/EC, Annex Art. 2): a class fits
    when the headcount (annual work units) is below its ceiling **and**
    either the annual turnover or the balance-sheet total is at most its
    ceiling:

    ========  =========  ==============  ===================
    class     headcount  turnover        balance-sheet total
    ========  =========  ==============  ===================
    micro     < 10       ≤ 2 Mio €       ≤ 2 Mio €
    small     < 50       ≤ 10 Mio €      ≤ 10 Mio €
    medium    < 250      ≤ 50 Mio €      ≤ 43 Mio €
    ========  =========  ==============  ===================

    Without financial figures the headcount decides. A company with 250
    or more employees (or above the medium ceilings) is a large
    enterprise, not an SME: :class:`~transferkit.exceptions.StoreError`.

    >>> size_class(8), size_class(8, turnover_eur=5_000_000), size_class(120)
    ('micro', 'small', 'medium')
    >>> size_class(40, turnover_eur=12e6, balance_sheet_eur=9e6)
    'small'
    """
    if isinstance(employees, bool) or not isinstance(employees, int | float):
        msg = f"employees must be a number (headcount), got {employees!r}"
        raise StoreError(msg)
    figures = {
        "employees": employees,
        "turnover_eur": turnover_eur,
        "balance_sheet_eur": balance_sheet_eur,
    }
    for name, value in figures.items():
        if value is not None and value < 0:
            msg = f"{name} must not be negative, got {value!r}"
            raise StoreError(msg)
    for name, max_staff, max_turnover, max_balance in _THRESHOLDS:
        if employees >= max_staff:
            continue
        fits_turnover = turnover_eur is not None and turnover_eur <= max_turnover
        fits_balance = balance_sheet_eur is not None and balance_sheet_eur <= max_balance
        if (turnover_eur is None and balance_sheet_eur is None) or fits_turnover or fits_balance:
            return name
    msg = (
        f"a company with {employees} employees, turnover {turnover_eur} € and balance-sheet "
        f"total {balance_sheet_eur} € is a large enterprise, not an SME (EU recommendation "
        "2003/361/EC: fewer than 250 employees and turnover ≤ 50 Mio € or balance sheet "
        "≤ 43 Mio €); transferkit records SMEs only"
    )
    raise StoreError(msg)
