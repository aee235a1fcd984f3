"""Writing cohorts: stable column order, ISO dates, and exact round trips through read."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.cohort import TABLES, Cohort, conform, read, write

TODAY = dt.date(2024, 6, 30)
EXAMPLE = Path(__file__).parents[2] / "examples" / "cohort"


def assert_same(left: Cohort, right: Cohort) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(left.table(table), right.table(table), check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_example_round_trips(tmp_path: Path, fmt: Any) -> None:
    cohort = read(EXAMPLE, today=TODAY)
    assert_same(read(write(cohort, tmp_path / "out", format=fmt), today=TODAY), cohort)


@pytest.mark.slow
def test_csv_text_is_iso_and_required_first(tmp_path: Path) -> None:
    cohort = read(EXAMPLE, today=TODAY)
    shuffled = Cohort(
        **{t: cohort.table(t)[cohort.table(t).columns[::-1]] for t in TABLES}, source="x"
    )
    folder = write(shuffled, tmp_path / "out")
    lines = (folder / "treatments.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("patient_id,drug,start_date,dose_mg_per_day,end_reason,regimen,end_date")
    assert lines[1].startswith("P01,thalidomide,2017-03-01,100.0,adverse_event,100 mg daily,")
    assert lines[1].endswith(",2017-09-15")
    patients = (folder / "patients.csv").read_text(encoding="utf-8").splitlines()
    assert ",false," in patients[1]
    assert ",true," in patients[1]


def test_empty_optional_tables_round_trip(tmp_path: Path, folder_of: Callable[..., Path]) -> None:
    cohort = read(folder_of(adverse_events=None, flares=None), today=TODAY)
    again = read(write(cohort, tmp_path / "out"), today=TODAY)
    assert_same(again, cohort)
    text = (tmp_path / "out" / "flares.csv").read_text(encoding="utf-8")
    assert text == "patient_id,flare_date,severity\n"


@pytest.mark.slow
def test_unknown_format_is_refused(tmp_path: Path) -> None:
    cohort = read(EXAMPLE, today=TODAY)
    with pytest.raises(ValueError, match="format must be 'csv' or 'parquet', not 'xlsx'"):
        write(cohort, tmp_path, format="xlsx")  # type: ignore[arg-type]


@pytest.mark.slow
def test_write_does_not_change_the_cohort(tmp_path: Path) -> None:
    cohort = read(EXAMPLE, today=TODAY)
    before = {t: cohort.table(t).copy(deep=True) for t in TABLES}
    write(cohort, tmp_path / "out")
    for table in TABLES:
        pd.testing.assert_frame_equal(cohort.table(table), before[table])


# --- property: any small valid cohort survives write then read -------------------------

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() == s and s != "")
# Periods chain at most 3 x 100 days after the first start, so all stay before TODAY.
_DAY = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2023, 1, 1))
_MAYBE_BOOL = st.sampled_from([True, False, None])


@st.composite
def cohorts(draw: st.DrawFn) -> Cohort:
    n = draw(st.integers(1, 4))
    ids = [f"P{i}" for i in range(1, n + 1)]
    patients = pd.DataFrame(
        {
            "patient_id": ids,
            "centre": [draw(st.sampled_from(["BCN", "LYO"])) for _ in ids],
            "sle": [draw(_MAYBE_BOOL) for _ in ids],
            "bmi": [draw(st.none() | st.floats(10, 80)) for _ in ids],
            "birth_year": [draw(st.none() | st.integers(1930, 2000)) for _ in ids],
            "note": [draw(st.none() | _TEXT) for _ in ids],
        }
    )
    rows: list[dict[str, Any]] = []
    for pid in ids:
        start = draw(_DAY)
        for _ in range(draw(st.integers(0, 3))):  # consecutive lenalidomide periods
            days = draw(st.integers(1, 100))
            end = start + dt.timedelta(days=days)
            rows.append(
                {
                    "patient_id": pid,
                    "drug": "lenalidomide",
                    "start_date": start,
                    "dose_mg_per_day": draw(st.floats(0, 25)),
                    "end_date": end,
                    "end_reason": draw(st.sampled_from(["taper", "other", None])),
                }
            )
            start = end
    treatments = pd.DataFrame(
        rows,
        columns=["patient_id", "drug", "start_date", "dose_mg_per_day", "end_date", "end_reason"],
    )
    visit_keys = draw(st.lists(st.tuples(st.sampled_from(ids), _DAY), max_size=6, unique=True))
    visits = pd.DataFrame(
        {
            "patient_id": [k[0] for k in visit_keys],
            "visit_date": [k[1] for k in visit_keys],
            "clasi_a": [draw(st.none() | st.floats(0, 70)) for _ in visit_keys],
            "platelets": [draw(st.none() | st.floats(0, 2000)) for _ in visit_keys],
        }
    )
    ae_keys = draw(st.lists(st.tuples(st.sampled_from(ids), _DAY), max_size=3, unique=True))
    adverse_events = pd.DataFrame(
        {
            "patient_id": [k[0] for k in ae_keys],
            "onset_date": [k[1] for k in ae_keys],
            "term": [draw(_TEXT) for _ in ae_keys],
            "grade": [draw(st.integers(1, 5)) for _ in ae_keys],
            "serious": [draw(_MAYBE_BOOL) for _ in ae_keys],
        }
    )
    flare_keys = draw(st.lists(st.tuples(st.sampled_from(ids), _DAY), max_size=3, unique=True))
    flares = pd.DataFrame(
        {
            "patient_id": [k[0] for k in flare_keys],
            "flare_date": [k[1] for k in flare_keys],
            "severity": [draw(st.sampled_from(["mild", "severe"])) for _ in flare_keys],
        }
    )
    built = Cohort(patients, treatments, visits, adverse_events, flares, source="generated")
    return conform(built, today=TODAY)


@pytest.mark.slow  # property test over generated cohorts
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort=cohorts())
def test_generated_cohorts_round_trip(cohort: Cohort, fmt: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert_same(read(write(cohort, folder, format=fmt), today=TODAY), cohort)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=25, deadline=None)
@given(cohort=cohorts())
def test_conform_is_idempotent(cohort: Cohort) -> None:
    assert_same(conform(cohort, today=TODAY), cohort)
