"""Import all-or-nothing, refusal of re-imports, scoped export and exact round trips."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN
from typer.testing import CliRunner

import clears.cohort
from clears._exceptions import InputError
from clears.cli.main import app
from clears.registry import audit
from clears.registry.exporter import export_cohort, write_cohort
from clears.registry.importer import import_cohort

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)


def _counts(session: Session) -> dict[str, int]:
    tables = (
        "centres",
        "patients",
        "treatments",
        "visits",
        "adverse_events",
        "flares",
        "audit_log",
    )
    return {t: session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}


def _same(left: clears.cohort.Cohort, right: clears.cohort.Cohort) -> None:
    for table in clears.cohort.TABLES:
        a, b = left.table(table), right.table(table)
        assert sorted(a.columns) == sorted(b.columns), table
        key = list(clears.cohort.REQUIRED_COLUMNS[table])
        a = a[sorted(a.columns)].sort_values(key, kind="stable").reset_index(drop=True)
        b = b[sorted(b.columns)].sort_values(key, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=True)


@pytest.mark.slow  # over a second in --durations
def test_import_then_export_gives_the_cohort_back(session: Session) -> None:
    summary = import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    original = clears.cohort.read(EXAMPLE, today=TODAY)
    # counts of the example files (6 patients, 9 periods, 16 visits, 5 AEs, 3 flares,
    # 12 concomitant medications)
    assert summary.rows == {
        "patients": 6,
        "treatments": 9,
        "visits": 16,
        "adverse_events": 5,
        "flares": 3,
        "concomitant_medications": 12,
    }
    exported = export_cohort(actor=ADMIN, session=session)
    blank = {
        t: [
            c
            for c in original.table(t).columns
            if original.table(t)[c].isna().all() and c not in clears.cohort.REQUIRED_COLUMNS[t]
        ]
        for t in clears.cohort.TABLES
    }
    trimmed = clears.cohort.Cohort(
        **{t: original.table(t).drop(columns=blank[t]) for t in clears.cohort.TABLES}
    )
    _same(exported, trimmed)
    assert "referral_route" in exported.patients.columns  # an extra column survives
    assert audit.verify(session).ok


@pytest.mark.slow
def test_extra_date_columns_are_kept_as_iso_text(session: Session) -> None:
    # An in-memory cohort may carry an extra column of dates (sle_onset_date was one before
    # the schema knew it); the registry keeps unknown columns as JSON, which has no date type.
    import dataclasses

    original = clears.cohort.read(EXAMPLE, today=TODAY)
    onset = pd.Series(pd.NaT, index=original.patients.index, dtype="datetime64[ns]")
    onset.iloc[0] = pd.Timestamp("2018-03-05")
    cohort = dataclasses.replace(original, patients=original.patients.assign(onset_seen=onset))
    import_cohort(cohort, actor=ADMIN, session=session, today=TODAY)
    exported = export_cohort(actor=ADMIN, session=session).patients.set_index("patient_id")
    first = original.patients["patient_id"].iloc[0]
    assert exported.loc[first, "onset_seen"] == "2018-03-05"
    assert exported["onset_seen"].drop(index=first).isna().all()


@pytest.mark.slow
def test_export_is_scoped_to_the_actors_centres(session: Session) -> None:
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    exported = export_cohort(actor=BCN, session=session)
    assert set(exported.patients["centre"]) == {"BCN"}
    assert set(exported.visits["patient_id"]) <= set(exported.patients["patient_id"])


@pytest.mark.slow  # over a second in --durations
def test_import_into_a_centre_not_the_actors_is_refused_and_writes_nothing(
    session: Session,
) -> None:
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    before = _counts(session)
    patients = pd.read_csv(EXAMPLE / "patients.csv")
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)

    def renumber(frame: pd.DataFrame) -> pd.DataFrame:
        # the same patients under new ids, so that only their centre can be refused
        return frame.assign(patient_id="N" + frame["patient_id"])

    renamed = clears.cohort.Cohort(
        renumber(cohort.patients),
        renumber(cohort.treatments),
        renumber(cohort.visits),
        renumber(cohort.adverse_events),
        renumber(cohort.flares),
        renumber(cohort.concomitant_medications),
    )
    with pytest.raises(InputError, match="centre: is not one of your centres") as caught:
        import_cohort(renamed, actor=BCN, session=session, today=TODAY)
    # example patients.csv: P04-P06 are at LYO, a registered centre but not one of BCN's
    assert set(patients["centre"]) == {"BCN", "LYO"}
    assert caught.value.problems[0].value == "LYO"
    assert _counts(session) == before


@pytest.mark.slow  # over a second in --durations
def test_reimport_is_refused_and_writes_nothing(session: Session) -> None:
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    before = _counts(session)
    with pytest.raises(InputError) as caught:
        import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    problems = caught.value.problems
    assert len(problems) == 6  # one per patient of the example
    assert problems[0].file == "patients"
    assert problems[0].row == 1
    assert "already in the registry" in problems[0].message
    assert _counts(session) == before


@pytest.mark.slow
def test_a_malformed_cohort_lists_every_problem_and_writes_nothing(
    session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(EXAMPLE, folder)
    visits = (folder / "visits.csv").read_text().splitlines()
    cells = visits[1].split(",")
    cells[1] = "2019-02-30"  # impossible date
    visits[1] = ",".join(cells)
    (folder / "visits.csv").write_text("\n".join(visits) + "\n")
    flares = (folder / "flares.csv").read_text().replace("severe", "huge")
    (folder / "flares.csv").write_text(flares)
    before = _counts(session)
    with pytest.raises(InputError) as caught:
        import_cohort(folder, actor=ADMIN, session=session, today=TODAY)
    where = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert ("visits.csv", 1, "visit_date") in where
    assert ("flares.csv", 1, "severity") in where
    assert _counts(session) == before


@pytest.mark.slow  # over a second in --durations
def test_roundtrip_through_files_is_exact(tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    for url in (first, second):
        assert runner.invoke(app, ["db", "init", "--db", url]).exit_code == 0
    for fmt in ("csv", "parquet"):
        out1, out2 = tmp_path / f"x1-{fmt}", tmp_path / f"x2-{fmt}"
        if fmt == "csv":
            done = runner.invoke(
                app, ["import", str(EXAMPLE), "--db", first, "--today", TODAY.isoformat()]
            )
            assert done.exit_code == 0, done.output
        done = runner.invoke(app, ["export", "--db", first, "--out", str(out1), "--format", fmt])
        assert done.exit_code == 0, done.output
        if fmt == "csv":
            assert runner.invoke(app, ["import", str(out1), "--db", second]).exit_code == 0
        runner.invoke(app, ["export", "--db", second, "--out", str(out2), "--format", fmt])
        for table in clears.cohort.TABLES:
            one = (out1 / f"{table}.{fmt}").read_bytes()
            two = (out2 / f"{table}.{fmt}").read_bytes()
            if fmt == "csv":
                assert one == two, table
            else:
                pd.testing.assert_frame_equal(
                    pd.read_parquet(out1 / f"{table}.{fmt}"),
                    pd.read_parquet(out2 / f"{table}.{fmt}"),
                )


@pytest.mark.slow
def test_write_cohort_writes_parquet(session: Session, tmp_path: Path) -> None:
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    folder = write_cohort(export_cohort(actor=ADMIN, session=session), tmp_path, format="parquet")
    again = clears.cohort.read(folder, today=TODAY)
    assert again.n_patients == 6
