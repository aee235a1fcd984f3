"""Units: one canonical unit per quantity, converted once at the boundary.

Every quantity clears computes with has exactly one canonical unit. Input in any accepted
spelling is converted to it on the way in (:func:`to_canonical`, :func:`to_canonical_array`)
and nothing downstream converts again. The accepted spellings and their factors are data
(:data:`QUANTITIES`); an unknown unit is an :class:`~clears.InputError` that names the
spellings allowed for that quantity.

========================  ================  ==============================================
quantity                  canonical unit    accepted units
========================  ================  ==============================================
``cell_count``            10^9/L            10^9/L, x10^9/L, 10*9/L, G/L, /mm3, /uL, ...
``haemoglobin``           g/dL              g/dL, g/L, mmol/L
``creatinine_clearance``  mL/min            mL/min, mL/s
``dose``                  mg/day            mg/day, mg/d, g/day, mg/week
``weight``                kg                kg, g, lb
========================  ================  ==============================================

Spellings are matched after removing spaces, reading ``µ``/``μ`` as ``u``, ``×`` as ``x``,
``³`` as ``3`` and ``⁹`` as ``^9``, and ignoring letter case, except that a leading ``G``
(giga, a cell count) and ``g`` (gram) are kept apart.

A conversion is ``canonical = value * numerator / denominator`` with the exact factors of the
definitions (1 ×10⁹/L = 1000/mm³, 1 g/dL = 10 g/L, 1 lb = 0.45359237 kg), so round published
thresholds such as 1500/mm³ land exactly on 1.5 ×10⁹/L.

Haemoglobin in mmol/L (of the haem monomer, molar mass 16 114 g/mol) converts with
1 mmol/L = 1.6114 g/dL. The NCI CTCAE v5.0 pairs (10.0 g/dL = 6.2 mmol/L, 8.0 g/dL =
4.9 mmol/L) are rounded and no single factor reproduces both, so
:mod:`clears.instruments.ctcae` grades mmol/L values on the published mmol/L thresholds
instead of converting them.

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   v5.0, 27 November 2017 ("1 ×10⁹/L = 1000/mm³" is read off the paired cells of the
   Investigations rows).
.. [2] Bureau International des Poids et Mesures. The International System of Units (SI),
   9th edition, 2019 (mm³ = µL; 1 L = 10 dL = 1000 mL).
.. [3] International yard and pound agreement, 1959: 1 lb = 0.45359237 kg exactly.

Examples
--------
>>> to_canonical("cell_count", 1500, "/mm3")
1.5
>>> to_canonical("haemoglobin", 95, "g/L")
9.5
>>> canonical_unit("dose")
'mg/day'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears._exceptions import InputError, Problem

__all__ = [
    "QUANTITIES",
    "Quantity",
    "Unit",
    "allowed_units",
    "canonical_unit",
    "from_canonical",
    "normalise_unit",
    "resolve_unit",
    "to_canonical",
    "to_canonical_array",
]


@dataclass(frozen=True, slots=True)
class Unit:
    """One accepted unit of a quantity and its exact factor to the canonical unit.

    ``canonical = value * numerator / denominator``.

    Parameters
    ----------
    symbol
        The spelling clears prints (``/mm3``).
    spellings
        Every accepted spelling, matched after :func:`normalise_unit`.
    numerator, denominator
        The conversion factor to the canonical unit as an exact ratio.
    """

    symbol: str
    spellings: tuple[str, ...]
    numerator: float = 1.0
    denominator: float = 1.0

    def to_canonical(self, value: float) -> float:
        """Convert ``value`` in this unit to the canonical unit."""
        return value * self.numerator / self.denominator

    def from_canonical(self, value: float) -> float:
        """Convert ``value`` in the canonical unit to this unit."""
        return value * self.denominator / self.numerator


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured quantity: its canonical unit (listed first) and the other accepted units."""

    name: str
    label: str
    units: tuple[Unit, ...]

    @property
    def canonical(self) -> Unit:
        """The canonical unit, in which clears computes."""
        return self.units[0]

    def allowed_text(self) -> str:
        """All accepted spellings, for error messages."""
        return ", ".join(s for unit in self.units for s in unit.spellings)


# Unit tables.  Sources: CTCAE v5.0 paired cells (counts, haemoglobin g/dL and g/L); SI
# brochure, 9th edition (mm3 = uL, 1 L = 10 dL = 1000 mL, 1 min = 60 s); 1959 yard and
# pound agreement (lb); haem-monomer molar mass 16 114 g/mol (haemoglobin mmol/L).
_COUNT_PER_MM3 = 1000.0  # 1 x10^9/L = 10^9 cells / 10^6 mm3 = 1000 cells/mm3

QUANTITIES: Mapping[str, Quantity] = {
    "cell_count": Quantity(
        "cell_count",
        "blood cell count",
        (
            Unit(
                "10^9/L",
                ("10^9/L", "x10^9/L", "10*9/L", "x10*9/L", "10e9/L", "x10e9/L", "G/L"),
            ),
            Unit(
                "/mm3",
                ("/mm3", "cells/mm3", "/uL", "cells/uL"),
                denominator=_COUNT_PER_MM3,
            ),
        ),
    ),
    "haemoglobin": Quantity(
        "haemoglobin",
        "haemoglobin concentration",
        (
            Unit("g/dL", ("g/dL",)),
            Unit("g/L", ("g/L",), denominator=10.0),
            Unit("mmol/L", ("mmol/L",), numerator=16.114, denominator=10.0),
        ),
    ),
    "creatinine_clearance": Quantity(
        "creatinine_clearance",
        "creatinine clearance (absolute, not per 1.73 m2)",
        (
            Unit("mL/min", ("mL/min",)),
            Unit("mL/s", ("mL/s",), numerator=60.0),
        ),
    ),
    "dose": Quantity(
        "dose",
        "daily dose",
        (
            Unit("mg/day", ("mg/day", "mg/d")),
            Unit("g/day", ("g/day", "g/d"), numerator=1000.0),
            Unit("mg/week", ("mg/week", "mg/wk"), denominator=7.0),
        ),
    ),
    "weight": Quantity(
        "weight",
        "body weight",
        (
            Unit("kg", ("kg",)),
            Unit("g", ("g",), denominator=1000.0),
            Unit("lb", ("lb", "lbs"), numerator=45359237.0, denominator=100000000.0),
        ),
    ),
}

_SYMBOLS = str.maketrans({"µ": "u", "μ": "u", "×": "x", "³": "3", "⁹": "9"})


def normalise_unit(unit: str) -> str:
    """Return the matching key of a unit spelling.

    Spaces are removed, ``µ``/``μ`` read as ``u``, ``×`` as ``x``, superscripts as digits
    (``10⁹`` as ``10^9``), and case is ignored except for a leading ``G`` (giga).

    Examples
    --------
    >>> normalise_unit("× 10⁹ /L")
    'x10^9/l'
    >>> normalise_unit("G/L"), normalise_unit("g/L")
    ('G/l', 'g/l')
    """
    text = "".join(unit.split()).replace("⁹", "^9").translate(_SYMBOLS)
    if text.startswith("G"):
        return "G" + text[1:].lower()
    return text.lower()


def _quantity(name: str, field: str = "quantity") -> Quantity:
    try:
        return QUANTITIES[name]
    except KeyError:
        raise InputError(Problem(field, name, "unknown quantity", ", ".join(QUANTITIES))) from None


def _lookup(quantity: Quantity, unit: object) -> Unit | None:
    if not isinstance(unit, str):
        return None
    key = normalise_unit(unit)
    for candidate in quantity.units:
        if key in (normalise_unit(s) for s in candidate.spellings):
            return candidate
    return None


def resolve_unit(quantity: str, unit: object, *, field: str = "unit") -> Unit:
    """Return the :class:`Unit` that ``unit`` spells for ``quantity``.

    Raises
    ------
    InputError
        If the quantity is unknown, or the unit is not an accepted spelling for it; the
        message names ``field`` and lists the accepted spellings.

    Examples
    --------
    >>> resolve_unit("cell_count", "cells/µL").symbol
    '/mm3'
    >>> resolve_unit("haemoglobin", "mg/dL")
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: unit: not a haemoglobin concentration unit (got 'mg/dL'); allowed: g/dL, g/L, mmol/L
    """  # noqa: E501
    spec = _quantity(quantity)
    found = _lookup(spec, unit)
    if found is None:
        raise InputError(Problem(field, unit, f"not a {spec.label} unit", spec.allowed_text()))
    return found


def canonical_unit(quantity: str) -> str:
    """The canonical unit symbol of ``quantity``."""
    return _quantity(quantity).canonical.symbol


def allowed_units(quantity: str) -> tuple[str, ...]:
    """Every accepted spelling for ``quantity``, canonical first."""
    return tuple(s for unit in _quantity(quantity).units for s in unit.spellings)


def to_canonical(quantity: str, value: float, unit: str, *, field: str = "value") -> float:
    """Convert one value to the canonical unit of ``quantity``.

    Parameters
    ----------
    quantity
        A key of :data:`QUANTITIES`.
    value
        A finite, non-negative number.
    unit
        Any accepted spelling of a unit of ``quantity``.
    field
        Name of the value in error messages (the unit is reported as ``<field>_unit``
        unless the field is ``value``, when it is ``unit``).

    Raises
    ------
    InputError
        Unknown quantity or unit, or a value that is not a finite non-negative number.

    Examples
    --------
    >>> to_canonical("creatinine_clearance", 1.0, "mL/s")
    60.0
    >>> to_canonical("cell_count", -1, "10^9/L")
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: value: must not be negative (got -1); allowed: a number >= 0
    """
    resolved = resolve_unit(quantity, unit, field=_unit_field(field))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(Problem(field, value, "expects a number", "a number >= 0"))
    if not math.isfinite(value):
        raise InputError(Problem(field, value, "must be a finite number", "a number >= 0"))
    if value < 0:
        raise InputError(Problem(field, value, "must not be negative", "a number >= 0"))
    return resolved.to_canonical(float(value))


def from_canonical(quantity: str, value: float, unit: str) -> float:
    """Convert a canonical value of ``quantity`` to ``unit`` (the inverse of
    :func:`to_canonical`).

    Examples
    --------
    >>> from_canonical("cell_count", 1.5, "/uL")
    1500.0
    """
    return resolve_unit(quantity, unit).from_canonical(float(value))


def to_canonical_array(
    quantity: str, values: npt.ArrayLike, unit: str, *, field: str = "value"
) -> npt.NDArray[np.float64]:
    """Convert an array of values to the canonical unit of ``quantity``.

    NaN (a missing value) stays NaN. A new array is returned; the input is not modified.

    Raises
    ------
    InputError
        Unknown quantity or unit, or any negative or infinite value (one problem per
        offending element, with its 1-based ``row``).

    Examples
    --------
    >>> to_canonical_array("cell_count", [1500, float("nan"), 250], "/mm3")
    array([1.5 ,  nan, 0.25])
    """
    resolved = resolve_unit(quantity, unit, field=_unit_field(field))
    array = np.asarray(values, dtype=np.float64)
    bad = np.isinf(array) | (array < 0)
    if bad.any():
        raise InputError(
            Problem(
                field,
                float(array[i]),
                "must be a finite number >= 0",
                "a number >= 0",
                row=int(i) + 1,
            )
            for i in np.flatnonzero(bad)
        )
    return array * resolved.numerator / resolved.denominator


def _unit_field(field: str) -> str:
    return "unit" if field == "value" else f"{field}_unit"
