"""The report reads no column outside :data:`clears.report.REPORT_COLUMNS`: the report of a
cohort cut down to those columns is the report of the whole cohort, so a registry export
that fetches only them (``clears report --db``, the report job) prints the same report."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from clears.cohort import REQUIRED_COLUMNS, Cohort, read
from clears.registry._models import data_columns
from clears.report import REPORT_COLUMNS, build_report
from clears.simulate import simulate

from ._same import assert_same_report
from .conftest import EXAMPLE

DAY = dt.date(2024, 1, 2)


def _cut(cohort: Cohort) -> Cohort:
    """``cohort`` with only the required and :data:`REPORT_COLUMNS` columns of the tables
    REPORT_COLUMNS names (extra and item columns gone)."""
    cut = {}
    for table, names in REPORT_COLUMNS.items():
        frame = cohort.table(table)
        keep = [c for c in frame.columns if c in REQUIRED_COLUMNS[table] or c in names]
        cut[table] = frame[keep]
    return dataclasses.replace(cohort, **cut)


def test_the_selection_names_stored_columns_only() -> None:
    for table, names in REPORT_COLUMNS.items():
        assert set(names) <= set(data_columns(table)), table


@pytest.mark.slow
def test_the_cut_drops_what_the_report_never_reads() -> None:
    cohort = simulate("aitmehdi2021", 40, np.random.default_rng(3))
    cut = _cut(cohort)
    # the simulated visits carry every CLASI and SLEDAI item; the cut keeps the totals and
    # the 24 SLEDAI descriptors (baseline SELENA-SLEDAI), not the CLASI items
    from clears.instruments.sledai import DEFINITION

    assert len(cohort.visits.columns) > 60
    totals = ["patient_id", "visit_date", "clasi_a", "clasi_d", "sledai"]
    assert sorted(cut.visits.columns) == sorted([*totals, *DEFINITION.columns])
    assert not [c for c in cut.visits.columns if str(c).startswith("clasi_") and c not in totals]
    assert len(cut.concomitant_medications.columns) < len(cohort.concomitant_medications.columns)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    "cohort",
    [
        pytest.param(lambda: read(EXAMPLE), id="example"),
        pytest.param(lambda: simulate("aitmehdi2021", 40, np.random.default_rng(2021)), id="demo"),
        pytest.param(
            lambda: simulate("aitmehdi2021", 5_000, np.random.default_rng(7)), id="simulated-5000"
        ),
    ],
)
def test_report_of_the_cut_cohort_is_the_same(cohort: object) -> None:
    whole = cohort()  # type: ignore[operator]
    assert_same_report(build_report(_cut(whole), today=DAY), build_report(whole, today=DAY))
