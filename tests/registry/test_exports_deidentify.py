"""De-identification: columns dropped, salted SHA-256 ids, per-patient date shifts."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import clears.cohort
from clears.cli.main import app
from clears.cohort import DATE_COLUMNS, TABLES
from clears.registry.exports.deidentify import OFFSET_DAYS, deidentify, pseudonym

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def cohort() -> clears.cohort.Cohort:
    return clears.cohort.read(EXAMPLE, today=TODAY)


def _offsets(before: clears.cohort.Cohort, after: clears.cohort.Cohort) -> dict[str, set[int]]:
    """Shift in days of every date, per original patient (rows keep their order)."""
    shifts: dict[str, set[int]] = {}
    for table in TABLES:
        for name in DATE_COLUMNS[table]:
            a, b = before.table(table), after.table(table)
            if name not in a.columns:
                continue
            for pid, x, y in zip(a["patient_id"], a[name], b[name], strict=True):
                if pd.notna(x):
                    shifts.setdefault(pid, set()).add(int((y - x).days))
    return shifts


@pytest.mark.slow
def test_every_date_of_a_patient_moves_by_one_offset_in_range(
    cohort: clears.cohort.Cohort,
) -> None:
    out = deidentify(cohort, rng=np.random.default_rng(7), salt="s").cohort
    shifts = _offsets(cohort, out)
    assert set(shifts) == set(cohort.patients["patient_id"])
    low, high = OFFSET_DAYS
    for values in shifts.values():
        assert len(values) == 1  # one offset per patient: all intervals preserved
        assert low <= next(iter(values)) <= high  # -364..-1, never 0


def test_the_sle_diagnosis_date_moves_with_the_patient(cohort: clears.cohort.Cohort) -> None:
    # patients.csv: P05 (CLE only) was diagnosed with SLE on 2020-08-03, the day of the
    # last visit in visits.csv; after the shift the diagnosis is still that visit's day.
    out = deidentify(cohort, rng=np.random.default_rng(3), salt="s").cohort
    p05 = pseudonym("P05", "s")
    onset = out.patients.set_index("patient_id").loc[p05, "sle_onset_date"]
    last_visit = out.visits.loc[out.visits["patient_id"] == p05, "visit_date"].max()
    assert onset == last_visit
    assert onset != pd.Timestamp("2020-08-03")  # shifted, never by 0 days
    assert out.patients["sle_onset_date"].notna().sum() == 1


@pytest.mark.slow  # property test
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_intervals_within_a_patient_are_preserved_for_any_seed(seed: int) -> None:
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)
    out = deidentify(cohort, rng=np.random.default_rng(seed), salt="s").cohort
    before = cohort.visits.groupby("patient_id")["visit_date"].agg(lambda s: s.max() - s.min())
    mapping = {pid: pseudonym(pid, "s") for pid in before.index}
    after = out.visits.groupby("patient_id")["visit_date"].agg(lambda s: s.max() - s.min())
    assert (after.loc[before.index.map(mapping)].to_numpy() == before.to_numpy()).all()


def test_ids_are_salted_sha256_and_unlinkable_without_the_salt(
    cohort: clears.cohort.Cohort,
) -> None:
    one = deidentify(cohort, rng=np.random.default_rng(1), salt="first").cohort
    two = deidentify(cohort, rng=np.random.default_rng(1), salt="second").cohort
    # Independent computation with hashlib: SHA-256 over salt, 0x1F, patient_id.
    assert one.patients["patient_id"].iloc[0] == hashlib.sha256(b"first\x1fP01").hexdigest()
    assert hashlib.sha256(b"P01").hexdigest() not in set(one.patients["patient_id"])
    assert set(one.patients["patient_id"]).isdisjoint(two.patients["patient_id"])
    # Same salt, same pseudonyms: two exports of one salt can be linked by whoever holds it.
    again = deidentify(cohort, rng=np.random.default_rng(9), salt="first").cohort
    assert again.patients["patient_id"].tolist() == one.patients["patient_id"].tolist()
    # Without a salt, a fresh random one each time.
    r1 = deidentify(cohort, rng=np.random.default_rng(1)).cohort
    r2 = deidentify(cohort, rng=np.random.default_rng(1)).cohort
    assert set(r1.patients["patient_id"]).isdisjoint(r2.patients["patient_id"])
    for table in TABLES[1:]:  # child tables carry the same pseudonyms
        assert set(one.table(table)["patient_id"]) <= set(one.patients["patient_id"])


def test_free_text_and_extra_columns_are_dropped_and_input_untouched(
    cohort: clears.cohort.Cohort,
) -> None:
    copy = {t: cohort.table(t).copy() for t in TABLES}
    done = deidentify(cohort, rng=np.random.default_rng(1), salt="s")
    assert "referral_route" in done.dropped["patients"]  # an extra column of the example
    assert "comment" in done.dropped["adverse_events"]  # free text about the event
    assert "regimen" in done.dropped["treatments"]  # free text in the schema
    assert "regimen" not in done.cohort.treatments.columns
    assert "term" in done.cohort.adverse_events.columns  # coded CTCAE term kept
    for table in TABLES:
        pd.testing.assert_frame_equal(cohort.table(table), copy[table])


def test_a_birth_year_more_than_90_years_back_is_capped() -> None:
    cohort = clears.cohort.Cohort(
        patients=pd.DataFrame(
            {"patient_id": ["A", "B"], "centre": ["X", "X"], "birth_year": [1900, 1950]}
        ),
        visits=pd.DataFrame(
            {"patient_id": ["A", "B"], "visit_date": pd.to_datetime(["2020-06-01"] * 2)}
        ),
        treatments=pd.DataFrame(columns=["patient_id", "drug", "start_date", "dose_mg_per_day"]),
        adverse_events=pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"]),
        flares=pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    )
    out = deidentify(cohort, rng=np.random.default_rng(3), salt="s").cohort
    first_year = out.visits["visit_date"].dt.year.iloc[0]  # 2019 or 2020 after the shift
    # A (born 1900) would be 119-120: capped at first_year - 90; B (1950) kept.
    assert out.patients["birth_year"].tolist() == [first_year - 90, 1950]


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("fmt", ["csv", "parquet", "redcap", "fhir", "sdtm"])
def test_every_format_is_deidentified(fmt: str, tmp_path: Path, fresh_sqlite: str) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["import", str(EXAMPLE), "--db", fresh_sqlite, "--today", TODAY.isoformat()]
    )
    assert done.exit_code == 0, done.output
    out = tmp_path / "out"
    salt = "a-secret-salt-1234"
    args = ["export", "--db", fresh_sqlite, "--out", str(out), "--format", fmt]
    done = runner.invoke(app, [*args, "--deidentify", "--salt", salt, "--seed", "5"])
    assert done.exit_code == 0, done.output
    files = [p for p in out.iterdir() if p.is_file()]
    assert files
    for path in files:
        raw = path.read_bytes()
        text = pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else raw.decode()
        assert salt not in text
        assert "P01" not in text
        assert "P06" not in text
        assert "confirmed by nerve conduction" not in text  # AE comment (free text)
        assert "2019-01-14" not in text  # P01's first visit date (shifted away)
    assert hashlib.sha256(f"{salt}\x1fP01".encode()).hexdigest()[:16] in "".join(
        pd.read_parquet(p).to_csv() if p.suffix == ".parquet" else p.read_text() for p in files
    )
