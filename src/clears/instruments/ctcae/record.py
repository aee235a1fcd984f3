"""CTCAE v5.0 grading of laboratory values, and validation of clinician-assigned grades.

Lab values are graded on the half-open bands of the NCI CTCAE v5.0 spreadsheet, held as
data in :mod:`clears.instruments.ctcae.definition`: "<1500–1000/mm³" means 1000 ≤ x < 1500 and
"<500/mm³" means x < 500. Values are converted once to the canonical unit
(:mod:`clears.units`), except haemoglobin in mmol/L, which is graded on the published
mmol/L thresholds (6.2 and 4.9 mmol/L) because no single factor reproduces both published
pairs (10.0 g/dL = 6.2 mmol/L; 8.0 g/dL = 4.9 mmol/L).

Rules clears applies, each named in the result (``rule``, ``flags``):

``at_or_above_lln``
    A value at or above the local lower limit of normal (LLN) is grade 0 (no adverse
    event). This holds even when a low local LLN puts the value inside the numeric band of
    grade 2 or worse (LLN 1.4, ANC 1.45 ×10⁹/L is grade 0); the result then carries the
    flag ``lln_overlap``.
``numeric_band``
    A value below the LLN takes the grade of the band it falls in; grade 1 is
    [grade-1 lower bound, LLN).
``numeric_band_no_lln``
    Without an LLN, a value below the grade-1 lower bound (ANC < 1.5 ×10⁹/L) is graded on
    its band and flagged ``lln_not_given``. A value at or above that bound cannot be
    graded (0 or 1 depends on the LLN): :func:`grade_lab` refuses it and
    :func:`~clears.instruments.ctcae.vector.grade_labs` returns
    :data:`~clears.instruments.ctcae.vector.NEEDS_LLN`.
``transfusion_indicated``
    Anaemia grade 3 is also met by "transfusion indicated"; the grade is then at least 3.
    Anaemia grades 4 and 5 are clinical and never assigned from a number.

The LLN is a quantity like the value: it carries its own unit (``lln_unit``) or, when given
as a bare number, is in the canonical unit of the test (10^9/L, g/dL), never in the value's
unit. Each is converted once with :mod:`clears.units`, so a value in cells/µL and an LLN in
×10⁹/L are compared after conversion, never raw. An LLN outside the test's declared range
(:attr:`~clears.instruments.ctcae.definition.LabTest.lln_plausible`, for example 1 to 3 ×10⁹/L
for neutrophils) is refused, too small as much as too large: the ranges are chosen so that
an LLN typed in any wrong unit falls outside them, and no accepted LLN can turn a numeric
grade 3 into grade 0.

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   Version 5.0. U.S. Department of Health and Human Services, 27 November 2017.

Examples
--------
>>> result = grade_lab("neutrophils", 900, "/mm3", lln=2.0, lln_unit="10^9/L")
>>> result.grade, result.term, result.version
(3, 'Neutrophil count decreased', 'CTCAE v5.0')
>>> print(result.interval_text)
0.5 ≤ x < 1.0 10^9/L
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from clears import units
from clears._exceptions import InputError, Problem
from clears.instruments._base import require_mapping, unknown_keys
from clears.instruments.ctcae.definition import (
    LAB_TESTS,
    LabTest,
    Scale,
    lab_test,
)
from clears.instruments.ctcae.result import CtcaeResult
from clears.instruments.ctcae.vector import lln_problem

__all__ = ["grade_lab", "score_mapping"]

_GRADE_0 = "No adverse event: value at or above the local LLN"
_PAYLOAD_KEYS = ("test", "value", "unit", "lln", "lln_unit", "transfusion_indicated")


def _to_scale(lab: LabTest, scale: Scale, value: float, unit: units.Unit) -> float:
    if unit.symbol == scale.unit:
        return float(value)
    return units.from_canonical(lab.quantity, unit.to_canonical(float(value)), scale.unit)


def _implausible(lab: LabTest, name: str, value: float, unit: units.Unit, given: str) -> Problem:
    """A problem for an implausible value, suggesting a unit that would make it plausible."""
    low, high = lab.plausible
    hints = [
        u.symbol
        for u in units.QUANTITIES[lab.quantity].units
        if u != unit and low <= u.to_canonical(value) <= high
    ]
    hint = f"; check the unit (did you mean {' or '.join(hints)}?)" if hints else ""
    return Problem(
        name,
        value,
        f"is not a plausible {lab.key} value in {given}{hint}",
        f"{low:g} to {high:g} {units.canonical_unit(lab.quantity)}",
    )


def _check(
    lab: LabTest, name: str, value: object, unit: object, problems: list[Problem]
) -> tuple[float, units.Unit] | None:
    """Validate one value and its unit; append problems, return (canonical, unit)."""
    resolved = None
    try:
        resolved = units.resolve_unit(
            lab.quantity, unit, field="unit" if name == "value" else f"{name}_unit"
        )
    except InputError as exc:
        problems.extend(exc.problems)
    symbol = lab.scales[0].unit if resolved is None else resolved.symbol
    try:
        canonical = units.to_canonical(lab.quantity, cast(float, value), symbol, field=name)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if resolved is None:
        return None
    return canonical, resolved


def _check_value(
    lab: LabTest, value: object, unit: object, problems: list[Problem]
) -> tuple[float, units.Unit] | None:
    checked = _check(lab, "value", value, unit, problems)
    if checked is None:
        return None
    low, high = lab.plausible
    if not low <= checked[0] <= high:
        problems.append(_implausible(lab, "value", cast(float, value), checked[1], str(unit)))
        return None
    return checked


def _check_lln(
    lab: LabTest, lln: object, lln_unit: object, problems: list[Problem]
) -> tuple[float, units.Unit] | None:
    """Validate an LLN: its own unit (canonical when omitted) and its plausible range."""
    bare = lln_unit is None
    checked = _check(
        lab, "lln", lln, units.canonical_unit(lab.quantity) if bare else lln_unit, problems
    )
    if checked is None:
        return None
    low, high = lab.lln_plausible
    if not low <= checked[0] <= high:
        problems.append(lln_problem(lab, cast(float, lln), checked[1], bare=bare))
        return None
    return checked


def grade_lab(
    test: str,
    value: float,
    unit: str,
    *,
    lln: float | None = None,
    lln_unit: str | None = None,
    transfusion_indicated: bool = False,
) -> CtcaeResult:
    """Grade one laboratory value by CTCAE v5.0.

    Parameters
    ----------
    test
        One of :data:`LAB_TESTS`: ``neutrophils``, ``wbc``, ``platelets``, ``hemoglobin``,
        ``lymphocytes``.
    value
        The measured value, ≥ 0, in ``unit``.
    unit
        Any accepted spelling of a unit of the test's quantity (:mod:`clears.units`).
    lln
        The local laboratory's lower limit of normal, in ``lln_unit``. Needed to grade 0
        or 1; see the module notes for what happens without it. It must lie in the test's
        :attr:`~clears.instruments.ctcae.definition.LabTest.lln_plausible` range (for example
        1 to 3 ×10⁹/L for neutrophils), which refuses an LLN typed in the wrong unit.
    lln_unit
        Unit of ``lln``, any accepted spelling of the test's quantity. When omitted, the
        LLN is in the **canonical unit** of the test (10^9/L for counts, g/dL for
        haemoglobin), *not* in ``unit``: value and LLN are each converted once, with
        :mod:`clears.units`, and never compared raw.
    transfusion_indicated
        Anaemia only: "transfusion indicated" meets grade 3.

    Returns
    -------
    CtcaeResult

    Raises
    ------
    InputError
        Listing every problem: unknown test or unit, a negative, non-finite or implausible
        value or LLN (with a unit hint), an LLN needed but missing, a transfusion flag on
        a test other than haemoglobin.

    Examples
    --------
    >>> grade_lab("hemoglobin", 4.8, "mmol/L", lln=7.5, lln_unit="mmol/L").grade
    3
    >>> grade_lab("platelets", 140, "10^9/L", lln=150).grade
    1
    >>> grade_lab("neutrophils", 900, "cells/uL", lln=1.8).canonical_lln  # 10^9/L
    1.8
    """
    lab = lab_test(test)
    problems: list[Problem] = []
    checked = _check_value(lab, value, unit, problems)
    checked_lln = None
    if lln is None and lln_unit is not None:
        problems.append(Problem("lln_unit", lln_unit, "is given without lln", "omit it"))
    if lln is not None:
        checked_lln = _check_lln(lab, lln, lln_unit, problems)
    if not isinstance(transfusion_indicated, bool):
        problems.append(
            Problem("transfusion_indicated", transfusion_indicated, "expects true or false")
        )
    elif transfusion_indicated and lab.transfusion_grade is None:
        problems.append(
            Problem(
                "transfusion_indicated",
                transfusion_indicated,
                f"applies only to haemoglobin, not {lab.key}",
                "false",
            )
        )
    if problems or checked is None:
        raise InputError(problems)
    canonical, value_unit = checked
    scale = lab.scale_for(value_unit.symbol)
    x = _to_scale(lab, scale, value, value_unit)
    lln_x = None
    if checked_lln is not None:
        lln_x = _to_scale(lab, scale, cast(float, lln), checked_lln[1])

    flags: list[str] = []
    bands = {b.grade: b for b in scale.bands}
    numeric = [b for b in scale.bands if b.upper is not None and b.lower <= x < b.upper]
    interval: tuple[float | None, float | None] | None
    if lln_x is not None and lln_x <= scale.grade1_lower:
        flags.append("lln_below_grade1_bound")
    if lln_x is not None and x >= lln_x:
        grade, rule, interval = 0, "at_or_above_lln", (lln_x, None)
        if numeric:
            flags.append("lln_overlap")
    elif numeric:
        band = numeric[0]
        grade, interval = band.grade, (band.lower if band.lower > 0 else None, band.upper)
        rule = "numeric_band" if lln_x is not None else "numeric_band_no_lln"
        if lln_x is None:
            flags.append("lln_not_given")
    elif lln_x is not None:
        grade, rule, interval = 1, "numeric_band", (bands[1].lower, lln_x)
    elif transfusion_indicated:
        grade, rule, interval = 0, "transfusion_indicated", None
        flags.append("lln_not_given")
    else:
        raise InputError(
            Problem(
                "lln",
                None,
                f"is required to grade {lab.key} ≥ {scale.grade1_lower} {scale.unit}: "
                "grade 0 or 1 depends on the local lower limit of normal",
                f"the local LLN as lln: {lab.lln_allowed_text()}, or in another unit with lln_unit",
            )
        )
    if (
        transfusion_indicated
        and lab.transfusion_grade is not None
        and grade < lab.transfusion_grade
    ):
        grade, rule, interval = lab.transfusion_grade, "transfusion_indicated", None
    term = lab.term
    description = _GRADE_0 if grade == 0 else term.description(grade)
    return CtcaeResult(
        grade=grade,
        term=term.term,
        term_key=term.key,
        soc=term.soc,
        description=description,
        test=lab.key,
        value=value,
        unit=unit,
        canonical_value=canonical,
        canonical_unit=units.canonical_unit(lab.quantity),
        scale_unit=scale.unit,
        lln=lln,
        lln_unit=None if checked_lln is None else (lln_unit or checked_lln[1].symbol),
        canonical_lln=None if checked_lln is None else checked_lln[0],
        interval=interval,
        rule=rule,
        flags=tuple(flags),
        transfusion_indicated=transfusion_indicated,
    )


def score_mapping(payload: Mapping[str, Any]) -> CtcaeResult:
    """Grade one lab value from a JSON-like mapping (used by ``clears score ctcae``).

    Keys: ``test``, ``value``, ``unit`` (required); ``lln``, ``lln_unit``,
    ``transfusion_indicated`` (optional). Unknown keys are refused. An ``lln`` without
    ``lln_unit`` is in the canonical unit of the test (10^9/L, g/dL), as in
    :func:`grade_lab`.

    Examples
    --------
    >>> score_mapping({"test": "neutrophils", "value": 0.9, "unit": "10^9/L", "lln": 2.0}).grade
    3
    """
    mapping = require_mapping(payload, "")
    if isinstance(mapping, Problem):
        raise InputError(mapping)
    problems = unknown_keys(list(mapping), _PAYLOAD_KEYS, "")
    for key, allowed in (
        ("test", ", ".join(LAB_TESTS)),
        ("value", "a number >= 0"),
        ("unit", "a unit of the test"),
    ):
        if mapping.get(key) is None:
            problems.append(Problem(key, None, "is missing", allowed))
    for key in ("test", "unit", "lln_unit"):
        if mapping.get(key) is not None and not isinstance(mapping[key], str):
            problems.append(Problem(key, mapping[key], "expects a string"))
    if any(p.message != "unknown field" for p in problems):
        raise InputError(problems)
    try:
        result = grade_lab(
            mapping["test"],
            mapping["value"],
            mapping["unit"],
            lln=mapping.get("lln"),
            lln_unit=mapping.get("lln_unit"),
            transfusion_indicated=mapping.get("transfusion_indicated", False),
        )
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return result
