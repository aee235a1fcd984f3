"""Half-up rounding of percentages, as journals print them.

Python's :func:`round` rounds halves to even (``round(17.5) == 18`` but ``round(16.5) == 16``)
and binary floats make ``2.675`` round to ``2.67``. Percentages in clears are computed as exact
decimals from the integer counts and rounded half away from zero with :mod:`decimal`, so
7/40 = 17.5 % prints as 18 % and 1/40 = 2.5 % as 3 %.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from clears._exceptions import InputError, Problem

__all__ = ["ROUNDING_RULE", "format_percent", "round_half_up"]

#: The rounding rule, stated in every table that prints a percentage.
ROUNDING_RULE: Final = (
    "percentages are exact decimals of the counts rounded half up (17.5 -> 18) with the "
    "decimal module"
)


def round_half_up(value: float | int | Decimal | str, digits: int = 0) -> Decimal:
    """Round ``value`` half away from zero to ``digits`` decimals.

    Parameters
    ----------
    value
        The number; floats are converted through their shortest ``repr`` (``2.675`` is
        taken as the decimal 2.675, not the binary 2.67499...).
    digits
        Number of decimals, ``>= 0``.

    Examples
    --------
    >>> round_half_up(17.5), round_half_up(16.5), round_half_up(2.675, 2)
    (Decimal('18'), Decimal('17'), Decimal('2.68'))
    """
    if digits < 0:
        raise InputError(Problem("digits", digits, "must not be negative", "0, 1, 2, ..."))
    exact = (
        value
        if isinstance(value, Decimal)
        else Decimal(repr(value) if isinstance(value, float) else str(value))
    )
    quantum = Decimal(1).scaleb(-digits)
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def format_percent(count: int, total: int, digits: int = 0) -> str:
    """Return ``count / total`` as a percentage rounded half up, without the % sign.

    Examples
    --------
    >>> format_percent(7, 40), format_percent(35, 40), format_percent(1, 40, 1)
    ('18', '88', '2.5')
    >>> format_percent(0, 0)
    ''
    """
    if count < 0 or total < 0 or count > total:
        raise InputError(
            Problem("count", count, f"must lie between 0 and the total ({total})", "0..total")
        )
    if total == 0:
        return ""
    exact = Decimal(count) * 100 / Decimal(total)
    return str(round_half_up(exact, digits))
