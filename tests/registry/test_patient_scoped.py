"""A patient-scoped read equals the full export restricted to those patients, on both backends.

``export_cohort(patient_ids=...)`` reads only the named patients' rows in SQL and types them
from the database's column types; the full export reads every row and types it with the cohort
parsers. The expected frame here is the full export filtered in pandas, so the two typings
are checked against each other on a simulated cohort that fills item-level CLASI and
SLEDAI-2K, dates, choices, numbers, booleans and extra columns.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN

from clears.cohort import REQUIRED_COLUMNS, TABLES, Cohort
from clears.registry import exporter
from clears.registry._actor import Actor
from clears.registry.exporter import export_cohort
from clears.registry.importer import import_cohort
from clears.registry.patients import create_patient
from clears.simulate import simulate

TODAY = dt.date(2030, 1, 1)


@pytest.fixture
def registry(session: Session) -> Cohort:
    """30 simulated patients imported, one more (``NOREC``) with no record; the full export."""
    cohort = simulate("aitmehdi2021", 30, np.random.default_rng(11))
    import_cohort(cohort, actor=ADMIN, session=session, today=TODAY)
    centre = str(cohort.patients["centre"].iloc[0])
    create_patient(session, actor=ADMIN, patient_id="NOREC", centre=centre, today=TODAY)
    return export_cohort(actor=ADMIN, session=session)


def _expected(full: Cohort, table: str, ids: list[str]) -> pd.DataFrame:
    """The full export's rows of ``ids``, keeping the required columns and those holding a
    value in those rows (the columns a scoped read keeps)."""
    frame = full.table(table)
    rows = frame[frame["patient_id"].isin(ids)].reset_index(drop=True)
    keep = [c for c in rows.columns if c in REQUIRED_COLUMNS[table] or rows[c].notna().any()]
    return rows[keep]


def _assert_scoped(got: Cohort, full: Cohort, ids: list[str]) -> None:
    for table in TABLES:
        expected = _expected(full, table, ids)
        pd.testing.assert_frame_equal(got.table(table), expected, check_dtype=True)


def _ids(full: Cohort) -> list[str]:
    return [str(pid) for pid in full.patients["patient_id"] if pid != "NOREC"]


@pytest.mark.slow
def test_one_patient_equals_the_filtered_full_export(session: Session, registry: Cohort) -> None:
    ids = _ids(registry)
    visited = registry.visits["patient_id"].value_counts()
    busiest = str(visited.index[0])  # the most visits: the most columns filled
    for pid in (ids[0], busiest, ids[-1]):
        _assert_scoped(
            export_cohort(actor=ADMIN, session=session, patient_ids=[pid]), registry, [pid]
        )
    assert len(export_cohort(actor=ADMIN, session=session, patient_ids=[busiest]).visits) == int(
        visited.iloc[0]
    )


@pytest.mark.slow  # over a second in --durations
def test_several_patients_equal_the_filtered_full_export(
    session: Session, registry: Cohort
) -> None:
    ids = _ids(registry)[3:9]
    got = export_cohort(actor=ADMIN, session=session, patient_ids=ids)
    _assert_scoped(got, registry, ids)


@pytest.mark.slow
def test_a_patient_without_records(session: Session, registry: Cohort) -> None:
    got = export_cohort(actor=ADMIN, session=session, patient_ids=["NOREC"])
    _assert_scoped(got, registry, ["NOREC"])
    assert got.n_patients == 1
    for table in TABLES[1:]:
        assert got.table(table).empty
        assert list(got.table(table).columns) == list(REQUIRED_COLUMNS[table])


@pytest.mark.slow
def test_an_id_differing_only_in_case_names_the_registered_patient(
    session: Session, registry: Cohort
) -> None:
    # Every entry point finds 'ait00002' as 'AIT00002' (ids ignore letter case), and so does
    # the scoped read: the same rows under the registered id.
    pid = _ids(registry)[1]
    for asked in (pid.lower(), pid.swapcase(), f" {pid} "):
        got = export_cohort(actor=ADMIN, session=session, patient_ids=[asked])
        _assert_scoped(got, registry, [pid])
        assert list(got.patients["patient_id"]) == [pid]


@pytest.mark.slow
def test_unknown_and_out_of_centre_ids_are_left_out(session: Session, registry: Cohort) -> None:
    patients = registry.patients
    pid = str(patients["patient_id"].iloc[0])
    centre = str(patients["centre"].iloc[0])
    other = patients[patients["centre"] != centre]
    assert not other.empty  # the simulated cohort spans several centres
    stranger = str(other["patient_id"].iloc[0])
    local = Actor("local", frozenset({centre}))
    got = export_cohort(actor=local, session=session, patient_ids=[pid, stranger, "NOSUCH"])
    _assert_scoped(got, registry, [pid])
    assert export_cohort(actor=ADMIN, session=session, patient_ids=[]).n_patients == 0


@pytest.mark.slow
def test_many_patients_are_read_in_slices_in_export_order(
    session: Session, registry: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each query names at most _KEYS_AT_ONCE patients (PostgreSQL's parameter limit); slices
    # of 4 over 13 patients (the ids asked in reverse order) give the same rows in order.
    monkeypatch.setattr(exporter, "_KEYS_AT_ONCE", 4)
    ids = _ids(registry)[:13]
    got = export_cohort(actor=ADMIN, session=session, patient_ids=ids[::-1])
    _assert_scoped(got, registry, ids)
