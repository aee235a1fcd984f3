"""``export_cohort(columns=...)``: only the named optional columns (and the required ones) of
the tables named, the other tables whole, on both backends and on every read path.

The expected frames are the full export's, cut down in pandas to the columns asked for.
"""

from __future__ import annotations

import datetime as dt
import gc

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN

from clears._exceptions import InputError
from clears.cohort import REQUIRED_COLUMNS, TABLES, Cohort
from clears.registry.exporter import export_cohort
from clears.registry.importer import import_cohort
from clears.simulate import simulate

TODAY = dt.date(2030, 1, 1)
ASKED = {"visits": ("clasi_a", "sledai", "clasi_scalp_ery"), "concomitant_medications": ()}


@pytest.fixture
def full(session: Session) -> Cohort:
    """25 simulated patients (item-level CLASI and SLEDAI, extra columns) imported; their
    whole export."""
    cohort = simulate("aitmehdi2021", 25, np.random.default_rng(5))
    cohort = cohort.__class__(
        **{t: cohort.table(t) for t in TABLES if t != "visits"},
        visits=cohort.visits.assign(visit_note="seen"),  # an extra column of the visits
        source=cohort.source,
    )
    import_cohort(cohort, actor=ADMIN, session=session, today=TODAY)
    return export_cohort(actor=ADMIN, session=session)


def _cut(frame: pd.DataFrame, table: str, names: tuple[str, ...]) -> pd.DataFrame:
    keep = [c for c in frame.columns if c in REQUIRED_COLUMNS[table] or c in names]
    return frame[keep]


def _assert_cut(got: Cohort, full: Cohort) -> None:
    for table in TABLES:
        expected = full.table(table)
        if table in ASKED:
            expected = _cut(expected, table, ASKED[table])
        pd.testing.assert_frame_equal(got.table(table), expected, obj=table)


@pytest.mark.slow
def test_only_the_named_columns_of_the_named_tables(session: Session, full: Cohort) -> None:
    got = export_cohort(actor=ADMIN, session=session, columns=ASKED)
    assert list(got.visits.columns) == [
        "patient_id", "visit_date", "clasi_a", "sledai", "clasi_scalp_ery"
    ]  # fmt: skip
    assert "visit_note" not in got.visits  # extra columns are not read for a named table
    assert "visit_note" in full.visits
    assert list(got.concomitant_medications.columns) == list(
        REQUIRED_COLUMNS["concomitant_medications"]
    )
    _assert_cut(got, full)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("fetch", [1, 7, 100_000])
def test_the_same_whatever_the_batch_size(session: Session, full: Cohort, fetch: int) -> None:
    _assert_cut(export_cohort(actor=ADMIN, session=session, columns=ASKED, fetch=fetch), full)


@pytest.mark.slow
def test_a_named_column_blank_everywhere_is_left_out(session: Session, full: Cohort) -> None:
    assert "nerve_conduction" not in full.visits  # the simulator never fills it
    got = export_cohort(actor=ADMIN, session=session, columns={"visits": ("nerve_conduction",)})
    assert list(got.visits.columns) == list(REQUIRED_COLUMNS["visits"])


@pytest.mark.slow  # over a second in --durations
def test_scoped_and_validated_reads_take_the_selection(session: Session, full: Cohort) -> None:
    ids = sorted(full.patients["patient_id"])[:3]
    scoped = export_cohort(actor=ADMIN, session=session, columns=ASKED, patient_ids=ids)
    rows = full.visits[full.visits["patient_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(scoped.visits, _cut(rows, "visits", ASKED["visits"]))
    checked = export_cohort(actor=ADMIN, session=session, columns=ASKED, validate=True)
    assert list(checked.visits.columns) == list(_cut(full.visits, "visits", ASKED["visits"]))
    assert len(checked.visits) == len(full.visits)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    ("columns", "field", "value"),
    [
        ({"vists": ("clasi_a",)}, "columns", "vists"),
        ({"visits": ("clasi_z",)}, "columns.visits", "clasi_z"),
        ({"patients": ("clasi_a",)}, "columns.patients", "clasi_a"),
    ],
)
def test_an_unknown_table_or_column_is_refused_by_name(
    session: Session, full: Cohort, columns: dict[str, tuple[str, ...]], field: str, value: str
) -> None:
    with pytest.raises(InputError) as caught:
        export_cohort(actor=ADMIN, session=session, columns=columns)
    (problem,) = caught.value.problems
    assert (problem.field, problem.value) == (field, value)
    assert problem.allowed  # what is allowed is listed


@pytest.mark.slow
def test_the_collector_is_paused_while_reading_and_restored(
    session: Session, full: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.registry import exporter

    seen: list[bool] = []
    typed = exporter._typed_frame

    def watched(*args: object, **kwargs: object) -> pd.DataFrame:
        seen.append(gc.isenabled())
        return typed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exporter, "_typed_frame", watched)
    assert gc.isenabled()
    export_cohort(actor=ADMIN, session=session, columns=ASKED)
    assert seen == [False] * len(TABLES)
    assert gc.isenabled()  # on again after
    gc.disable()
    try:
        export_cohort(actor=ADMIN, session=session)
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


@pytest.mark.slow
def test_the_collector_is_back_on_after_a_failed_read(
    session: Session, full: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.registry import exporter

    def broken(*args: object, **kwargs: object) -> pd.DataFrame:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(exporter, "_typed_frame", broken)
    with pytest.raises(RuntimeError, match="connection lost"):
        export_cohort(actor=ADMIN, session=session)
    assert gc.isenabled()
