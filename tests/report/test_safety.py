"""The report's adverse-event tables equal clears.analysis.ae_table on the same cohort.

Worked counts are from examples/cohort (adverse_events.csv, flares.csv, patients.csv);
exact Poisson limits are recomputed with scipy.stats.chi2 (Garwood 1936).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from scipy import stats

from clears.analysis import ae_table
from clears.cohort import read
from clears.outcomes import derive
from clears.report import Report, build_report
from clears.report._safety import GRADE_BANDS

from .conftest import EXAMPLE


def _table(report: Report, key: str) -> pd.DataFrame:
    return next(t for t in report.tables() if t.key == key).frame


def _exposure() -> pd.Series:
    outcomes = derive(read(EXAMPLE), ["aitmehdi2021"])
    return outcomes.set_index("patient_id")["exposure_patient_years"]


@pytest.mark.slow
def test_ae_rows_equal_ae_table(example_report: Report) -> None:
    expected = ae_table(read(EXAMPLE), exposure=_exposure())
    rows = expected.to_frame()
    # ae_table's row of flares in patients without SLE is not an SLE flare (a flare needs
    # SLE): the report prints new SLE among isolated CLE in its place. P01, P03, P05 and P06
    # have isolated CLE; P05's SLE onset 2020-08-03 is after its first dose 2020-02-10
    # (treatments.csv) -> 1 of 4 = 25 %
    at = int((expected.table["item"] == "flare_without_sle").to_numpy().argmax())
    rows.loc[at] = ["New SLE diagnosis (among patients with isolated CLE)", "1 (25)"]
    pd.testing.assert_frame_equal(_table(example_report, "ae_table"), rows)
    table = next(t for t in example_report.tables() if t.key == "ae_table")
    kept = [n for n in expected.footnotes if not n.startswith("SLE flares are counted only")]
    assert [n for n in table.footnotes if not n.startswith("SLE flares are counted")] == kept
    assert any(n.startswith("SLE flares are counted among") for n in table.footnotes)


def test_ae_worked_counts(example_report: Report) -> None:
    rows = dict(_table(example_report, "ae_table").to_numpy().tolist())
    # P02 (grades 2, 1), P03 (1), P05 (3), P06 (1): 4 of 6 patients, 66.7 % -> 67
    assert rows["Patients with >= 1 adverse event"] == "4 (67)"
    # maximum grade per patient: P02 2, P03 1, P06 1 -> I-II 3/6; P05 3 -> III-IV 1/6
    assert rows["Maximum grade, any term (grade I–II)"] == "3 (50)"
    assert rows["Maximum grade, any term (grade III–IV)"] == "1 (17)"
    # action withdrawn: P02 and P05
    assert rows["Adverse event leading to permanent withdrawal"] == "2 (33)"
    # SLE (P02, P04): P04 flared on 2020-03-02 after the index date 2020-01-13 -> 1/2
    assert rows["Patients with SLE flare (among patients with SLE)"] == "1 (50)"


@pytest.mark.slow  # over a second in --durations
def test_incidence_rows_equal_ae_table_and_garwood(example_report: Report) -> None:
    expected = ae_table(read(EXAMPLE), exposure=_exposure()).incidence
    shown = _table(example_report, "ae_rates")
    assert shown["Events"].tolist() == expected["events"].astype(str).tolist()
    assert shown["Rate per 100 patient-years"].tolist() == [f"{v:.2f}" for v in expected["rate"]]
    # all events: k = 5 over the summed derive() exposure; exact limits
    # chi2.ppf(0.025, 2k) / 2 and chi2.ppf(0.975, 2k + 2) / 2 (Garwood 1936)
    years = float(_exposure().sum())
    low, high = stats.chi2.ppf(0.025, 10) / 2, stats.chi2.ppf(0.975, 12) / 2
    first = shown.iloc[0]
    assert first["Item"] == "All adverse events"
    assert first["Rate per 100 patient-years"] == f"{5 / years * 100:.2f}"
    assert first["95% CI"] == f"{low / years * 100:.2f}–{high / years * 100:.2f}"


@pytest.mark.slow  # over a second in --durations
def test_methods_name_counting_rule_and_ci(example_report: Report) -> None:
    result = ae_table(read(EXAMPLE), exposure=_exposure())
    text = " ".join(example_report.methods)
    assert result.footnotes[1] in text  # once per term, highest grade
    assert str(result.incidence["method"].iloc[0]) in text
    assert "CTCAE v5.0" in text


@pytest.mark.slow  # over a second in --durations
def test_grade_5_event_gets_its_own_band() -> None:
    cohort = read(EXAMPLE)
    ae = cohort.adverse_events.copy()
    ae.loc[ae["term"] == "Thromboembolic event", "grade"] = 5
    changed = dataclasses.replace(cohort, adverse_events=ae)
    report = build_report(changed, criteria=["aitmehdi2021"])
    rows = dict(_table(report, "ae_table").to_numpy().tolist())
    # P05's event is now grade 5: no longer in III-IV, counted in V
    assert rows["Maximum grade, any term (grade V)"] == "1 (17)"
    assert rows["Maximum grade, any term (grade III–IV)"] == "0 (0)"
    assert GRADE_BANDS == ((1, 2), (3, 4))  # Aitmehdi 2021 Table 2 bands otherwise


def test_without_grade_5_there_is_no_grade_5_row(example_report: Report) -> None:
    items = _table(example_report, "ae_table")["Item"]
    assert not items.str.contains("grade V)", regex=False).any()


def test_safety_paragraph_counts(example_report: Report) -> None:
    safety = next(s for s in example_report.sections if s.key == "safety")
    # 5 events (adverse_events.csv rows) in P02, P03, P05, P06
    assert safety.paragraphs[0].startswith("5 adverse events in 4 of 6 patients over ")


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["docx", "xlsx"])
def test_exports_hold_table1_and_ae_table(example_report: Report, tmp_path, writer: str) -> None:  # type: ignore[no-untyped-def]
    from clears.report import write_docx, write_xlsx

    ae = _table(example_report, "ae_table")
    t1 = _table(example_report, "table1")
    if writer == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(write_xlsx(example_report, tmp_path / "t.xlsx"))
        numbers = 0
        for key, frame in (("Table 1", t1), ("Table 2", ae)):
            # an empty cell reads back as None; counts are stored as numbers, not text
            rows = list(book[key].iter_rows(min_row=3))
            cells = [["" if c.value is None else str(c.value) for c in row] for row in rows]
            assert cells[: len(frame)] == frame.to_numpy().tolist()
            numbers += sum(type(c.value) is int for row in rows for c in row)
        assert numbers > 0
    else:
        from docx import Document

        document = Document(str(write_docx(example_report, tmp_path / "t.docx")))
        grids = [[[c.text for c in row.cells] for row in g.rows] for g in document.tables]
        for frame in (t1, ae):
            assert [list(frame.columns), *frame.to_numpy().tolist()] in grids
