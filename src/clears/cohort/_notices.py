"""Warnings of cohort validation: what does not stop a cohort but must reach the user.

Validation has two outcomes per finding. A problem refuses the cohort
(:class:`~clears.InputError`); a warning (``clears.cohort._columns``: a column that looks like
a known one standing beside it) lets the cohort through, and is never dropped: it goes to the
caller's ``on_warning`` callback (the command line prints each one) or, without a callback,
is issued as a :class:`CohortWarning` with :func:`warnings.warn`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable

from clears._exceptions import Problem

__all__ = ["CohortWarning", "OnWarning", "notify"]

#: What a caller gives to receive each warning of a cohort.
OnWarning = Callable[[Problem], None]


class CohortWarning(UserWarning):
    """A cohort finding that does not refuse the cohort; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def notify(found: Iterable[Problem], on_warning: OnWarning | None) -> None:
    """Hand every warning to ``on_warning``, or issue it as a :class:`CohortWarning`.

    Examples
    --------
    >>> seen = []
    >>> notify([Problem("visit_dat3", None, "looks like visit_date")], seen.append)
    >>> print(seen[0])
    visit_dat3: looks like visit_date
    """
    for problem in found:
        if on_warning is None:
            warnings.warn(CohortWarning(problem), stacklevel=3)
        else:
            on_warning(problem)
