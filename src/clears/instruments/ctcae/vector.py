"""Vectorised CTCAE v5.0 grading of laboratory values (columns in, grades out).

The array counterpart of :func:`clears.instruments.ctcae.grade_lab`, reading the same bands
(:data:`~clears.instruments.ctcae.definition.LAB_TESTS`) and applying the same rules; the two are
tested against each other. Public names are re-exported by :mod:`clears.instruments.ctcae`.

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   Version 5.0. U.S. Department of Health and Human Services, 27 November 2017.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from clears import units
from clears._exceptions import InputError, Problem
from clears.instruments.ctcae.definition import LabTest, Scale, lab_test

__all__ = ["MISSING", "NEEDS_LLN", "grade_labs", "lln_problem"]

MISSING = -1
"""Code returned by :func:`grade_labs` for a missing (NaN) value."""
NEEDS_LLN = -2
"""Code returned by :func:`grade_labs` when grade 0 or 1 depends on an LLN not given."""


def lln_problem(lab: LabTest, given: float, unit: units.Unit, *, bare: bool) -> Problem:
    """The problem for an LLN outside :attr:`~clears.instruments.ctcae.definition.LabTest.lln_plausible`.

    Shared by :func:`grade_labs` and :func:`~clears.instruments.ctcae.grade_lab` so both
    refuse with the same words. Names the field (``lln``), the value, the unit it was read
    in (saying when a bare number was read in the canonical unit), the unit that would make
    it plausible if there is one, and the accepted range in every unit.

    Examples
    --------
    >>> from clears.instruments.ctcae.definition import LAB_TESTS
    >>> lab = LAB_TESTS["neutrophils"]
    >>> print(lln_problem(lab, 1800.0, units.resolve_unit("cell_count", "10^9/L"), bare=True))
    lln: is not a plausible lower limit of normal for neutrophils: read in 10^9/L (an lln without lln_unit is in the canonical unit 10^9/L); give lln_unit /mm3 if that is its unit (got 1800.0); allowed: 1 to 3 10^9/L (= 1000 to 3000 /mm3)
    """  # noqa: E501
    low, high = lab.lln_plausible
    read = f"read in {unit.symbol}"
    if bare:
        read += f" (an lln without lln_unit is in the canonical unit {unit.symbol})"
    fits = [
        u.symbol
        for u in units.QUANTITIES[lab.quantity].units
        if u != unit and low <= u.to_canonical(given) <= high
    ]
    hint = f"; give lln_unit {' or '.join(fits)} if that is its unit" if fits else ""
    return Problem(
        "lln",
        given,
        f"is not a plausible lower limit of normal for {lab.key}: {read}{hint}",
        lab.lln_allowed_text(),
    )


def grade_labs(
    test: str,
    values: npt.ArrayLike,
    unit: str,
    *,
    lln: float | npt.ArrayLike | None = None,
    lln_unit: str | None = None,
    transfusion_indicated: bool | npt.ArrayLike = False,
) -> npt.NDArray[np.int8]:
    """Grade an array of laboratory values by CTCAE v5.0 (the vectorised ``grade_lab``).

    Parameters
    ----------
    test, unit
        As for :func:`~clears.instruments.ctcae.grade_lab`; one unit for the whole array.
    values
        Values in ``unit``; NaN marks a missing value.
    lln
        One LLN for all values, or one per value (NaN: not given for that value), in
        ``lln_unit``. Each given LLN must lie in the test's
        :attr:`~clears.instruments.ctcae.definition.LabTest.lln_plausible` range.
    lln_unit
        Unit of ``lln``. When omitted the LLN is in the **canonical unit** of the test
        (10^9/L, g/dL), never in ``unit``: the two are converted separately, once.
    transfusion_indicated
        One flag for all values or one per value (haemoglobin only).

    Returns
    -------
    numpy.ndarray of int8
        The grade of each value, or :data:`MISSING` (-1) for NaN, or :data:`NEEDS_LLN`
        (-2) where ``grade_lab`` would refuse the value for want of an LLN. A new
        array; the inputs are not modified.

    Raises
    ------
    InputError
        Unknown test or unit, and one problem per negative, infinite or implausible value
        or LLN (with its 1-based ``row``).

    Examples
    --------
    >>> grade_labs("neutrophils", [2.1, 1.7, 1.2, float("nan"), 0.3], "10^9/L", lln=2.0)
    array([ 0,  1,  2, -1,  4], dtype=int8)
    >>> grade_labs("neutrophils", [1.7, 1.2], "10^9/L")
    array([-2,  2], dtype=int8)
    >>> grade_labs("neutrophils", [900, 2100], "/uL", lln=1.8)  # LLN in 10^9/L
    array([3, 0], dtype=int8)
    """
    lab = lab_test(test)
    value_unit = units.resolve_unit(lab.quantity, unit)
    x_canonical = units.to_canonical_array(lab.quantity, values, unit)
    n = x_canonical.shape
    lln_given = (
        np.full(n, np.nan) if lln is None else np.broadcast_to(np.asarray(lln, dtype=np.float64), n)
    )
    problems: list[Problem] = []
    if lln is None and lln_unit is not None:
        problems.append(Problem("lln_unit", lln_unit, "is given without lln", "omit it"))
    lln_value_unit = units.canonical_unit(lab.quantity) if lln_unit is None else lln_unit
    lln_unit_obj = units.resolve_unit(lab.quantity, lln_value_unit, field="lln_unit")
    lln_canonical = units.to_canonical_array(lab.quantity, lln_given, lln_value_unit, field="lln")
    problems += _array_plausibility(lab, "value", x_canonical, np.asarray(values, np.float64))
    low, high = lab.lln_plausible
    bad_lln = ~np.isnan(lln_canonical) & ((lln_canonical < low) | (lln_canonical > high))
    problems += [
        dataclasses.replace(
            lln_problem(lab, float(lln_given[i]), lln_unit_obj, bare=lln_unit is None),
            row=int(i) + 1,
        )
        for i in np.flatnonzero(bad_lln)
    ]
    transfused = np.broadcast_to(np.asarray(transfusion_indicated, dtype=bool), n)
    if transfused.any() and lab.transfusion_grade is None:
        problems.append(
            Problem(
                "transfusion_indicated",
                True,
                f"applies only to haemoglobin, not {lab.key}",
                "false",
            )
        )
    if problems:
        raise InputError(problems)

    scale = lab.scale_for(value_unit.symbol)
    x = _array_to_scale(lab, scale, x_canonical, np.asarray(values, np.float64), value_unit)
    lln_x = _array_to_scale(lab, scale, lln_canonical, lln_given, lln_unit_obj)
    has_lln = ~np.isnan(lln_x)
    below = ~has_lln | (x < np.where(has_lln, lln_x, np.inf))
    grades = np.zeros(n, dtype=np.int8)
    for band in scale.bands:
        if band.upper is None:
            grades[below & has_lln & (x >= band.lower)] = band.grade
            grades[~has_lln & (x >= band.lower)] = NEEDS_LLN
        else:
            grades[below & (x >= band.lower) & (x < band.upper)] = band.grade
    if lab.transfusion_grade is not None:
        grades = np.where(transfused, np.maximum(grades, lab.transfusion_grade), grades).astype(
            np.int8
        )
    grades[np.isnan(x)] = MISSING
    return grades


def _array_plausibility(
    lab: LabTest, name: str, canonical: npt.NDArray[np.float64], given: npt.NDArray[np.float64]
) -> list[Problem]:
    low, high = lab.plausible
    bad = ~np.isnan(canonical) & ((canonical < low) | (canonical > high))
    return [
        Problem(
            name,
            float(given[i]),
            f"is not a plausible {lab.key} value; check the unit",
            f"{low:g} to {high:g} {units.canonical_unit(lab.quantity)}",
            row=int(i) + 1,
        )
        for i in np.flatnonzero(bad)
    ]


def _array_to_scale(
    lab: LabTest,
    scale: Scale,
    canonical: npt.NDArray[np.float64],
    given: npt.NDArray[np.float64],
    unit: units.Unit,
) -> npt.NDArray[np.float64]:
    if unit.symbol == scale.unit:
        return np.array(given, dtype=np.float64)
    target = units.resolve_unit(lab.quantity, scale.unit)
    return canonical * target.denominator / target.numerator
