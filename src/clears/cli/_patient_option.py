"""The ``--patient`` option: an identifier read as every entry point reads it."""

from __future__ import annotations

import typer

from clears.cohort._ids import ID_ALLOWED, id_problem, normalise_id

__all__ = ["patient_option"]


def patient_option(value: str, *, option: str = "--patient") -> str:
    """``value`` normalised (``' P01 '`` is ``P01``), or a one-line usage error naming the
    option, the value and the identifier alphabet (:mod:`clears.cohort._ids`).

    Examples
    --------
    >>> patient_option(" P01 ")
    'P01'
    """
    text = normalise_id(value)
    problem = id_problem(text)
    if problem is not None:
        raise typer.BadParameter(f"{value!r} {problem}; allowed: {ID_ALLOWED}", param_hint=option)
    return text
