"""Table 1 of the report: rows equal clears.analysis.table_one on the same patients.

Worked numbers are from examples/cohort (patients.csv, treatments.csv, visits.csv), computed
by hand in the comments; the layout follows Aitmehdi 2021 Table 1 (seed 000).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from clears.analysis import table_one
from clears.cohort import Cohort, read
from clears.outcomes import derive
from clears.report import Report, build_report
from clears.report._baseline import table_one_data, table_one_result

from .conftest import EXAMPLE


def _table1(report: Report) -> pd.DataFrame:
    return next(t for t in report.tables() if t.key == "table1").frame


def _one(values: pd.Series, label: str, kind: str | None = None, decimals: int = 0) -> pd.DataFrame:
    """table_one of a single column, without its ``n`` row (the report's arguments)."""
    data = pd.DataFrame({"x": values.reset_index(drop=True)})
    result = table_one(
        data,
        variables=["x"],
        categorical=["x"] if kind is None else [],
        continuous={"x": kind} if kind is not None else {},  # type: ignore[dict-item]
        decimals=decimals,
        labels={"x": label},
        tests=False,
        smd=False,
    )
    return result.to_frame().iloc[1:].reset_index(drop=True)


def _block(frame: pd.DataFrame, label: str, size: int) -> pd.DataFrame:
    start = int(np.flatnonzero(frame["Variable"].str.startswith(label + ","))[0])
    return frame.iloc[start : start + size].reset_index(drop=True)


def _patients(cohort: Cohort) -> pd.DataFrame:
    """Built here, independently of the report: first-preset outcomes joined to patients."""
    outcomes = derive(cohort, ["aitmehdi2021"])
    return outcomes.merge(cohort.patients, on="patient_id")


@pytest.mark.slow  # over a second in --durations
def test_example_table1_worked_numbers(example_report: Report) -> None:
    frame = _table1(example_report).set_index("Variable")
    # 6 lenalidomide patients (treatments.csv P01-P06)
    assert frame.loc["n", "Overall"] == "6"
    # female P01, P02, P04, P05, P06: 5/6 = 83.3 % -> 83
    assert frame.loc["Female sex, n (%)", "Overall"] == "5 (83)"
    # first dose year - birth year: 47, 34, 59, 30, 52, 41 -> median (41 + 47) / 2 = 44
    assert frame.loc["Age at first dose, years, median (range)", "Overall"] == "44 (30–59)"
    # smoking "current": P02 only, 1/6 = 16.7 % -> 17
    assert frame.loc["Active smoking, n (%)", "Overall"] == "1 (17)"
    # BMI 21.0, 23.4, 24.6, 27.1, 29.8 (P06 blank) -> median 24.6, one missing
    row = frame.loc["Body mass index, kg/m², median (range)"]
    assert (row["Overall"], row["Missing"]) == ("24.6 (21.0–29.8)", "1")
    # phototype 2, 3, 2, 4, 3, 5: only P06 (5) is V-VI; P04's 4 is not
    assert frame.loc["Fitzpatrick phototype V or VI, n (%)", "Overall"] == "1 (17)"
    # SLE P02, P04: 2/6 = 33.3 % -> 33; baseline SLEDAI-2K 8 (P02 2019-02-04) and 12
    # (P04 2020-01-13) -> median 10; the 4 patients without SLE are missing
    assert frame.loc["Systemic lupus erythematosus, n (%)", "Overall"] == "2 (33)"
    row = frame.loc["SLEDAI-2K at baseline, patients with SLE, median (range)"]
    assert (row["Overall"], row["Missing"]) == ("10 (8–12)", "4")
    # previous lines 3, 2, 4, 1, 2, 5 -> median 2.5, rounded half up to 3
    assert frame.loc["Previous lines of systemic treatment, median (range)", "Overall"] == (
        "3 (1–5)"
    )
    # prior thalidomide P01, P03, P06: 3/6 = 50 %
    assert frame.loc["Previous thalidomide, n (%)", "Overall"] == "3 (50)"
    # subtypes: SCLE;ACLE is printed sorted, one patient per combination
    assert frame.loc["   ACLE + SCLE", "Overall"] == "1 (17)"
    # the example cohort has no concomitant_* columns: no such rows
    assert not any("with the drug" in v for v in frame.index)


@pytest.mark.slow
def test_example_table1_equals_table_one(example_report: Report) -> None:
    cohort = read(EXAMPLE)
    data = _patients(cohort)
    printed = _table1(example_report)
    age = data["index_date"].dt.year - data["birth_year"].astype(float)
    checks = [
        (data["sex"] == "female", "Female sex", None, 0),
        (age, "Age at first dose, years", "median_range", 0),
        (data["smoking"] == "current", "Active smoking", None, 0),
        (data["bmi"], "Body mass index, kg/m²", "median_range", 1),
        (data["sle"].astype(bool), "Systemic lupus erythematosus", None, 0),
        (data["aps"].astype(bool), "Antiphospholipid syndrome", None, 0),
        (data["baseline_clasi_a"], "CLASI-A at first dose", "median_range", 0),
        (data["prior_systemic_lines"], "Previous lines of systemic treatment", "median_range", 0),
        (data["prior_thalidomide"].astype(bool), "Previous thalidomide", None, 0),
        (data["exposure_patient_years"], "Exposure, patient-years", "median_iqr", 1),
    ]
    for values, label, kind, decimals in checks:
        expected = _one(values, label, kind, decimals)
        pd.testing.assert_frame_equal(_block(printed, label, len(expected)), expected)
    # Klein 2011 bands, labelled with their CLASI-A ranges (mild 0-9, moderate 10-20,
    # severe 21-70)
    bands = {
        "mild": "Mild (0–9)",
        "moderate": "Moderate (10–20)",
        "severe": "Severe (21–70)",
    }
    severity = pd.Categorical(data["baseline_severity"].map(bands), categories=list(bands.values()))
    expected = _one(pd.Series(severity), "CLASI-A severity (Klein 2011)")
    got = _block(printed, "CLASI-A severity (Klein 2011)", len(expected))
    pd.testing.assert_frame_equal(got, expected)
    # every band is printed, in Klein 2011 order, even an empty one (no mild patient here)
    assert got["Variable"].str.strip().tolist()[1:] == list(bands.values())


@pytest.fixture(scope="module")
def simulated() -> tuple[Cohort, Report]:
    from clears.simulate import simulate

    cohort = simulate("aitmehdi2021", 40, np.random.default_rng(11))
    return cohort, build_report(cohort, criteria=["aitmehdi2021"])


@pytest.mark.slow  # over a second in --durations
def test_simulated_concomitant_rows_equal_table_one(simulated: tuple[Cohort, Report]) -> None:
    cohort, report = simulated
    data = _patients(cohort)
    printed = _table1(report)
    concomitant = [str(c) for c in cohort.patients if str(c).startswith("concomitant_")]
    assert concomitant  # the simulator writes them (Aitmehdi 2021 Table 1, last block)
    for column in concomitant:
        label = column.removeprefix("concomitant_").replace("_", " ").capitalize()
        label += " with the drug"
        expected = _one(data[column], label)
        pd.testing.assert_frame_equal(_block(printed, label, len(expected)), expected)
    # concomitant rows come after the prior-treatment rows and before exposure
    names = printed["Variable"].tolist()
    first = next(i for i, v in enumerate(names) if "with the drug" in v)
    assert names.index("Previous thalidomide, n (%)") < first
    assert names[-1].startswith("Exposure, patient-years")


@pytest.mark.slow
def test_footnotes_and_methods_come_from_table_one(simulated: tuple[Cohort, Report]) -> None:
    cohort, report = simulated
    table = next(t for t in report.tables() if t.key == "table1")
    outcomes = derive(cohort, ["aitmehdi2021"])
    result = table_one_result(table_one_data(cohort, outcomes))
    assert table.footnotes[: len(result.footnotes)] == result.footnotes
    pd.testing.assert_frame_equal(table.frame, result.to_frame())
    assert any(result.footnotes[0] in paragraph for paragraph in report.methods)


@pytest.mark.slow
def test_subtype_set_is_sorted_and_ordered_by_frequency() -> None:
    cohort = read(EXAMPLE)
    patients = cohort.patients.assign(
        cle_subtypes=pd.array(
            ["SCLE;DLE", "DLE ; SCLE", "LET", "DLE;SCLE;DLE", None, "LET"], dtype="string"
        )
    )
    changed = dataclasses.replace(cohort, patients=patients)
    frame = table_one_data(changed, derive(changed, ["aitmehdi2021"]))
    column = frame["cle_subtype_set"]
    # DLE + SCLE x3 (three spellings of one set), LET x2: most frequent first
    assert list(column.cat.categories) == ["DLE + SCLE", "LET"]
    assert int(column.isna().sum()) == 1


@pytest.mark.slow
def test_missing_sex_is_missing_not_male() -> None:
    cohort = read(EXAMPLE)
    patients = cohort.patients.assign(sex=pd.array(["female", None, "male", "other", None,
                                                    "female"], dtype="string"))  # fmt: skip
    changed = dataclasses.replace(cohort, patients=patients)
    frame = table_one_data(changed, derive(changed, ["aitmehdi2021"]))
    assert frame["female"].tolist() == [True, pd.NA, False, False, pd.NA, True]


@pytest.mark.slow  # over a second in --durations
def test_rows_without_values_are_left_out() -> None:
    cohort = read(EXAMPLE)
    changed = dataclasses.replace(cohort, patients=cohort.patients.assign(bmi=np.nan))
    frame = build_report(changed, criteria=["aitmehdi2021"]).sections[0].tables[0].frame
    assert not frame["Variable"].str.startswith("Body mass index").any()
    assert frame["Variable"].str.startswith("Female sex").any()


@pytest.mark.slow
def test_table_one_data_does_not_modify_inputs() -> None:
    cohort = read(EXAMPLE)
    outcomes = derive(cohort, ["aitmehdi2021"])
    before = (cohort.patients.copy(), outcomes.copy())
    table_one_data(cohort, outcomes)
    pd.testing.assert_frame_equal(cohort.patients, before[0])
    pd.testing.assert_frame_equal(outcomes, before[1])
