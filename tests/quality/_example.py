"""The example cohort (``examples/cohort``) of the quality tests, read once per test process.

Reading and validating the six CSV files takes about half a second; the rules are evaluated
on many one-cell variations of the same cohort, so each test gets a copy of one reading,
every table a copy of its own that the test may change.
"""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd

import clears.cohort

EXAMPLE = "examples/cohort"


@functools.cache
def _read() -> clears.cohort.Cohort:
    return clears.cohort.read(EXAMPLE)


def example_cohort() -> clears.cohort.Cohort:
    """``examples/cohort`` as :func:`clears.cohort.read` returns it, its tables copied."""
    cohort = _read()
    tables = {
        field.name: value.copy()
        for field in dataclasses.fields(cohort)
        if isinstance(value := getattr(cohort, field.name), pd.DataFrame)
    }
    return dataclasses.replace(cohort, **tables)
