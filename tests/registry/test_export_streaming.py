"""Export streamed in batches: the same cohort whatever the batch size, and the same as the
whole-table path (``validate=True``, which reads every row at once and runs ``conform``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN

import clears.cohort
from clears.registry.exporter import export_cohort
from clears.registry.importer import import_cohort

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)


def _same(left: clears.cohort.Cohort, right: clears.cohort.Cohort) -> None:
    for table in clears.cohort.TABLES:
        pd.testing.assert_frame_equal(left.table(table), right.table(table), check_dtype=True)


def _with_late_extras() -> clears.cohort.Cohort:
    """The example cohort with extra columns whose first value comes only in late rows.

    ``late_note`` is text in the last patient only; ``mixed`` is text for one patient and a
    number for another, so it stays an object column; with one-row batches both first
    appear after several batches without them.
    """
    original = clears.cohort.read(EXAMPLE, today=TODAY)
    n = len(original.patients)
    late = pd.Series([None] * (n - 1) + ["seen at the end"], dtype="string")
    mixed = pd.Series([None, "a", None, 7, None, None][:n], dtype=object)
    patients = original.patients.assign(late_note=late, mixed=mixed)
    return dataclasses.replace(original, patients=patients)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("fetch", [1, 2, 5, 100_000])
def test_every_batch_size_gives_the_same_cohort(session: Session, fetch: int) -> None:
    import_cohort(_with_late_extras(), actor=ADMIN, session=session, today=TODAY)
    # reference: the same export read in one batch larger than any table of the example
    whole = export_cohort(actor=ADMIN, session=session, fetch=1_000_000)
    _same(export_cohort(actor=ADMIN, session=session, fetch=fetch), whole)


@pytest.mark.slow  # over a second in --durations
def test_extra_columns_keep_their_order_and_types_across_batches(session: Session) -> None:
    import_cohort(_with_late_extras(), actor=ADMIN, session=session, today=TODAY)
    patients = export_cohort(actor=ADMIN, session=session, fetch=1).patients
    assert {"referral_route", "late_note", "mixed"} <= set(patients.columns)
    assert str(patients["late_note"].dtype) == "string"
    assert patients["late_note"].iloc[-1] == "seen at the end"
    assert patients["late_note"].iloc[:-1].isna().all()
    assert patients["mixed"].dtype == object  # text and a number: left as given
    assert patients["mixed"].tolist()[1:4] == ["a", None, 7]


@pytest.mark.slow  # over a second in --durations
def test_streamed_export_equals_the_whole_table_path(session: Session) -> None:
    # Independent path: validate=True reads each table whole and runs clears.cohort.conform.
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    streamed = export_cohort(actor=ADMIN, session=session, fetch=3)
    checked = export_cohort(actor=ADMIN, session=session, validate=True)
    _same(streamed, checked)


@pytest.mark.slow
def test_empty_tables_keep_their_required_columns(session: Session) -> None:
    original = clears.cohort.read(EXAMPLE, today=TODAY)
    no_events = dataclasses.replace(
        original,
        adverse_events=original.adverse_events.iloc[0:0],
        flares=original.flares.iloc[0:0],
    )
    import_cohort(no_events, actor=ADMIN, session=session, today=TODAY)
    exported = export_cohort(actor=ADMIN, session=session, fetch=2)
    for table in ("adverse_events", "flares"):
        frame = exported.table(table)
        assert tuple(frame.columns) == clears.cohort.REQUIRED_COLUMNS[table]
        assert frame.empty


@pytest.mark.slow
def test_a_column_with_one_value_in_the_last_batch_is_kept(session: Session) -> None:
    original = clears.cohort.read(EXAMPLE, today=TODAY)
    visits = original.visits.drop(columns=["c4"])
    c4 = pd.Series([float("nan")] * (len(visits) - 1) + [0.2])
    import_cohort(
        dataclasses.replace(original, visits=visits.assign(c4=c4)),
        actor=ADMIN,
        session=session,
        today=TODAY,
    )
    exported = export_cohort(actor=ADMIN, session=session, fetch=1).visits
    assert exported["c4"].iloc[-1] == 0.2
    assert exported["c4"].iloc[:-1].isna().all()


@pytest.mark.slow
def test_a_column_without_any_value_is_left_out(session: Session) -> None:
    original = clears.cohort.read(EXAMPLE, today=TODAY)
    visits = original.visits.assign(c4=float("nan"))
    import_cohort(
        dataclasses.replace(original, visits=visits), actor=ADMIN, session=session, today=TODAY
    )
    assert "c4" not in export_cohort(actor=ADMIN, session=session, fetch=2).visits.columns


@pytest.mark.slow
def test_scoped_export_in_small_batches(session: Session) -> None:
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    small = export_cohort(actor=BCN, session=session, fetch=1)
    large = export_cohort(actor=BCN, session=session)
    _same(small, large)
    assert set(small.patients["centre"]) == {"BCN"}
    everyone = export_cohort(actor=ADMIN, session=session)
    assert len(small.visits) < len(everyone.visits)
