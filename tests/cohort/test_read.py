"""Reading cohort folders: the example, optional tables, files, and every problem at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from clears import InputError
from clears.cohort import REQUIRED_COLUMNS, TABLES, read

TODAY = dt.date(2024, 6, 30)
EXAMPLE = Path(__file__).parents[2] / "examples" / "cohort"


@pytest.mark.slow
def test_example_folder_reads_clean() -> None:
    cohort = read(EXAMPLE, today=dt.date(2025, 1, 1))
    assert cohort.n_patients == 6
    assert cohort.source == str(EXAMPLE)
    for table in TABLES:
        frame = cohort.table(table)
        assert list(frame.columns[: len(REQUIRED_COLUMNS[table])]) == list(REQUIRED_COLUMNS[table])
        assert len(frame) > 0, table


@pytest.mark.slow
def test_example_uses_every_known_column() -> None:
    from clears.cohort import SCHEMA

    cohort = read(EXAMPLE, today=dt.date(2025, 1, 1))
    for table in TABLES:
        missing = {c.name for c in SCHEMA[table]} - set(cohort.table(table).columns)
        assert not missing, (table, missing)


@pytest.mark.slow  # over a second in --durations
def test_example_fills_clasi_totals_from_items() -> None:
    visits = read(EXAMPLE, today=dt.date(2025, 1, 1)).visits
    p01 = visits[visits["patient_id"] == "P01"].set_index("visit_date")
    # Second P01 visit has blank totals and these items (Albrecht 2005 scoring, by hand):
    # activity = face ery 1 + ears ery 1 + scalp ery 1 + alopecia 1 = 4;
    # damage = face dyspigmentation 1 doubled (dysp_12m = 1) = 2 + face scarring 1
    #          + scalp scarring 3 = 6.
    assert p01.loc[pd.Timestamp("2019-03-11"), "clasi_a"] == 4
    assert p01.loc[pd.Timestamp("2019-03-11"), "clasi_d"] == 6


def test_types_are_canonical(folder_of: Callable[..., Path]) -> None:
    cohort = read(folder_of(), today=TODAY)
    assert cohort.treatments["start_date"].dtype == "datetime64[ns]"
    assert cohort.treatments["dose_mg_per_day"].dtype == "float64"
    assert cohort.adverse_events["grade"].dtype == "Int64"
    assert cohort.patients["sle"].dtype == "boolean"
    assert cohort.patients["sle"].tolist() == [True, False]
    assert pd.isna(cohort.treatments["end_date"].iloc[1])  # blank = ongoing
    assert pd.isna(cohort.visits["hb"].iloc[2])


def test_extra_columns_are_kept_as_text(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients="patient_id,centre,study_arm,code\nP1,BCN,A,007\nP2,LYO,,010\n")
    patients = read(folder, today=TODAY).patients
    assert list(patients.columns) == ["patient_id", "centre", "study_arm", "code"]
    assert patients["code"].tolist() == ["007", "010"]  # not read as numbers
    assert pd.isna(patients["study_arm"].iloc[1])


def test_required_columns_come_first(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(patients="note,centre,patient_id\nx,BCN,P1\ny,LYO,P2\n")
    assert list(read(folder, today=TODAY).patients.columns) == ["patient_id", "centre", "note"]


def test_optional_tables_may_be_absent(folder_of: Callable[..., Path]) -> None:
    cohort = read(folder_of(adverse_events=None, flares=None), today=TODAY)
    assert cohort.adverse_events.empty
    assert list(cohort.adverse_events.columns) == list(REQUIRED_COLUMNS["adverse_events"])
    assert list(cohort.flares.columns) == list(REQUIRED_COLUMNS["flares"])


def test_header_only_tables_are_empty(folder_of: Callable[..., Path]) -> None:
    cohort = read(folder_of(flares="patient_id,flare_date,severity\n"), today=TODAY)
    assert cohort.flares.empty
    assert cohort.flares["flare_date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize("table", ["patients", "treatments", "visits"])
def test_required_tables_must_exist(folder_of: Callable[..., Path], table: str) -> None:
    with pytest.raises(InputError) as caught:
        read(folder_of(**{table: None}), today=TODAY)
    (problem,) = caught.value.problems
    assert problem.file == table
    assert "is missing" in problem.message
    assert problem.allowed == f"{table}.csv or {table}.parquet"


def test_two_files_for_one_table_is_a_problem(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    pd.DataFrame({"patient_id": ["P1"], "centre": ["BCN"]}).to_parquet(folder / "patients.parquet")
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    (problem,) = caught.value.problems
    assert "both patients.csv and patients.parquet exist" in problem.message


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a folder"):
        read(tmp_path / "nowhere", today=TODAY)


def test_missing_required_column(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares="patient_id,severity\nP2,mild\n")
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("flares.csv", None, "flare_date")
    assert problem.message == "required column is missing"
    assert problem.allowed == "columns patient_id, flare_date, severity"


def test_unreadable_file_is_a_problem(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares='patient_id,flare_date,severity\nP2,2021-08-02,mild,extra,"\n')
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    (problem,) = caught.value.problems
    assert problem.file == "flares.csv"
    assert problem.message.startswith("a quoted field opened on line 2 is still open")


def test_all_problems_reported_at_once(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(
        patients="patient_id,centre,smoking\nP1,BCN,sometimes\nP2,LYO,never\n",
        treatments=(
            "patient_id,drug,start_date,dose_mg_per_day,end_date\n"
            "P1,lenalidomide,06/01/2020,5,\n"
            "P9,aspirin,2020-01-06,-1,2019-01-01\n"
        ),
        visits="patient_id,visit_date,clasi_a\nP1,2020-01-06,71\nP2,2030-01-01,3\n",
        adverse_events="patient_id,onset_date,term,grade\nP1,2020-02-10,Fatigue,6\n",
        flares="patient_id,flare_date,severity\nP2,2021-08-02,extreme\n",
    )
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    found = {(p.file, p.row, p.field, p.value) for p in caught.value.problems}
    assert found == {
        ("patients.csv", 1, "smoking", "sometimes"),
        ("treatments.csv", 1, "start_date", "06/01/2020"),
        ("treatments.csv", 2, "patient_id", "P9"),
        ("treatments.csv", 2, "drug", "aspirin"),
        ("treatments.csv", 2, "dose_mg_per_day", "-1"),
        ("treatments.csv", 2, "end_date", "2019-01-01"),
        ("visits.csv", 1, "clasi_a", "71"),
        ("visits.csv", 2, "visit_date", "2030-01-01"),
        ("adverse_events.csv", 1, "grade", "6"),
        ("flares.csv", 1, "severity", "extreme"),
    }
    text = str(caught.value)
    assert "patients.csv, row 1: smoking: is not an allowed value (got 'sometimes'); " in text
    assert "allowed: current, former, never" in text


def test_problems_are_sorted_by_file_then_row(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(
        flares="patient_id,flare_date,severity\nP2,2021-08-02,extreme\n",
        patients="patient_id,centre,sex\nP1,BCN,x\nP2,LYO,y\n",
    )
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    assert [(p.file, p.row) for p in caught.value.problems] == [
        ("patients.csv", 1),
        ("patients.csv", 2),
        ("flares.csv", 1),
    ]


def test_future_date_uses_today_argument(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares="patient_id,flare_date,severity\nP2,2024-07-01,mild\n")
    read(folder, today=dt.date(2024, 7, 1))  # the same day is allowed
    with pytest.raises(InputError, match=r"is in the future \(today is 2024-06-30\)"):
        read(folder, today=dt.date(2024, 6, 30))


@pytest.mark.slow
def test_parquet_folder_reads_like_csv(folder_of: Callable[..., Path], tmp_path: Path) -> None:
    from clears.cohort import write

    cohort = read(folder_of(), today=TODAY)
    target = write(cohort, tmp_path / "pq", format="parquet")
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    again = read(target, today=TODAY)
    for table in TABLES:
        pd.testing.assert_frame_equal(again.table(table), cohort.table(table))


def test_utf8_bom_is_accepted(folder_of: Callable[..., Path]) -> None:
    folder = folder_of()
    text = (folder / "patients.csv").read_text(encoding="utf-8")
    (folder / "patients.csv").write_text("\ufeff" + text, encoding="utf-8")
    assert read(folder, today=TODAY).patients.columns[0] == "patient_id"
