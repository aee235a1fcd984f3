"""SLEDAI-2K totals derived from complete item-level SLEDAI in visits.

Weights are those of SLEDAI-2K (Gladman DD, Ibañez D, Urowitz MB. J Rheumatol
2002;29:288-91; the table in docs/instruments/sledai.md): 8 for the eight CNS/vascular
descriptors, 4 for arthritis, myositis and the four renal ones, 2 for rash, alopecia, mucosal
ulcers, pleurisy, pericarditis, low complement and increased DNA binding, 1 for fever,
thrombocytopenia and leukopenia. SLEDAI-2K counts persistent rash, alopecia, mucosal ulcers
and proteinuria (clears code 3) like new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from clears.cohort import Cohort, conform, validate
from clears.instruments import sledai

TODAY = dt.date(2024, 6, 30)
COLUMNS = list(sledai.DEFINITION.columns)

#: Gladman 2002 weights, written out here independently of the instrument definition.
WEIGHTS = {
    "sledai_seizure": 8,
    "sledai_psychosis": 8,
    "sledai_obs": 8,
    "sledai_visual_disturbance": 8,
    "sledai_cranial": 8,
    "sledai_lupus_headache": 8,
    "sledai_cva": 8,
    "sledai_vasculitis": 8,
    "sledai_arthritis": 4,
    "sledai_myositis": 4,
    "sledai_urinary_casts": 4,
    "sledai_hematuria": 4,
    "sledai_proteinuria": 4,
    "sledai_pyuria": 4,
    "sledai_rash": 2,
    "sledai_alopecia": 2,
    "sledai_mucosal_ulcers": 2,
    "sledai_pleurisy": 2,
    "sledai_pericarditis": 2,
    "sledai_low_complement": 2,
    "sledai_dna": 2,
    "sledai_fever": 1,
    "sledai_thrombocytopenia": 1,
    "sledai_leukopenia": 1,
}

# Worked example: seizure 8 + arthritis 4 + persistent rash (code 3) 2 + low complement 2
# + fever 1 = 17.
WORKED = {
    "sledai_seizure": "1",
    "sledai_arthritis": "1",
    "sledai_rash": "3",
    "sledai_low_complement": "1",
    "sledai_fever": "yes",
}


def sledai_visit(visit_date: str = "2020-01-06", **items: Any) -> dict[str, Any]:
    """One P1 visit with every SLEDAI item 0 except those given."""
    row: dict[str, Any] = {"patient_id": "P1", "visit_date": visit_date}
    return row | dict.fromkeys(COLUMNS, "0") | {k: str(v) for k, v in items.items()}


def cohort_with(frames: dict[str, pd.DataFrame], *rows: dict[str, Any]) -> Cohort:
    return Cohort(
        patients=frames["patients"],
        treatments=frames["treatments"],
        visits=pd.DataFrame(list(rows)),
        adverse_events=frames["adverse_events"],
        flares=frames["flares"],
    )


def test_weights_written_here_cover_the_definition() -> None:
    assert list(WEIGHTS) == COLUMNS  # 24 descriptors (Gladman 2002)


def test_total_filled_from_complete_items(frames: dict[str, pd.DataFrame]) -> None:
    conformed = conform(cohort_with(frames, sledai_visit(**WORKED)), today=TODAY)
    assert conformed.visits["sledai"].tolist() == [17.0]


@pytest.mark.parametrize("column", COLUMNS)
def test_every_item_changes_the_total_by_its_weight(
    frames: dict[str, pd.DataFrame], column: str
) -> None:
    conformed = conform(cohort_with(frames, sledai_visit(**{column: "1"})), today=TODAY)
    assert conformed.visits["sledai"].tolist() == [float(WEIGHTS[column])]


def test_blank_total_is_filled_and_all_zero_gives_zero(frames: dict[str, pd.DataFrame]) -> None:
    rows = [sledai_visit(sledai=""), sledai_visit("2020-02-03", sledai="")]
    rows[0] |= WORKED
    conformed = conform(cohort_with(frames, *rows), today=TODAY)
    assert conformed.visits["sledai"].tolist() == [17.0, 0.0]  # 17 as above; no item: 0


def test_given_total_that_matches_is_fine(frames: dict[str, pd.DataFrame]) -> None:
    assert validate(cohort_with(frames, sledai_visit(**WORKED, sledai="17")), today=TODAY) == []


@pytest.mark.parametrize("given", ["16", "18"])  # either side of the derived 17
def test_given_total_that_disagrees_names_row_given_and_derived(
    frames: dict[str, pd.DataFrame], given: str
) -> None:
    rows = [sledai_visit(sledai="0"), sledai_visit("2020-02-03", **WORKED, sledai=given)]
    (problem,) = validate(cohort_with(frames, *rows), today=TODAY)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "visits",
        2,
        "sledai",
        float(given),
    )
    assert problem.message == "disagrees with the total of the item-level SLEDAI columns, 17"
    assert problem.allowed == "17 or blank"


def test_incomplete_items_are_not_totalled_and_the_given_total_is_kept(
    frames: dict[str, pd.DataFrame],
) -> None:
    row = sledai_visit(**WORKED, sledai="30") | {"sledai_leukopenia": ""}
    conformed = conform(cohort_with(frames, row), today=TODAY)
    assert conformed.visits["sledai"].tolist() == [30.0]  # not 17: one item blank


def test_missing_item_column_means_no_total(frames: dict[str, pd.DataFrame]) -> None:
    row = sledai_visit(**WORKED)
    del row["sledai_leukopenia"]
    conformed = conform(cohort_with(frames, row), today=TODAY)
    assert "sledai" not in conformed.visits.columns


def test_bad_item_is_reported_and_not_totalled(frames: dict[str, pd.DataFrame]) -> None:
    # seizure is present/absent only (0/1); with it refused, the row is incomplete
    row = sledai_visit(**WORKED, sledai="1") | {"sledai_seizure": "2"}
    problems = validate(cohort_with(frames, row), today=TODAY)
    assert [(p.row, p.field, p.value) for p in problems] == [(1, "sledai_seizure", "2")]


def test_input_frames_are_not_changed(frames: dict[str, pd.DataFrame]) -> None:
    cohort = cohort_with(frames, sledai_visit(**WORKED))
    before = cohort.visits.copy()
    conform(cohort, today=TODAY)
    pd.testing.assert_frame_equal(cohort.visits, before)
    assert "sledai" not in cohort.visits.columns
