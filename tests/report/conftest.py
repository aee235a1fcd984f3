"""Shared fixtures: a report of the bundled example cohort."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clears.cohort import read
from clears.report import Report, build_report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cohort"


@pytest.fixture(scope="session")
def example_report() -> Report:
    return build_report(read(EXAMPLE), today=dt.date(2024, 1, 2))
