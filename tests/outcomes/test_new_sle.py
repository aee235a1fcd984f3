"""New SLE among patients with isolated CLE needs a recorded SLE diagnosis.

Aitmehdi 2021 (seed 000): "SLE with articular involvement developed in 1 patient with
isolated CLE"; Table 2: "Development of SLE among patients with isolated CLE (n = 14)
1 (7)". Cortés-Hernández 2012 (seed 001): "None of the patients with CLE progressed to a
systemic disease". A diagnosis is recorded as the patients column ``sle_onset_date`` (the
date SLE was diagnosed); a flares-table row is not a diagnosis.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clears.outcomes import derive, summarise

from ._build import cohort, first_refusal, period, visit


def _row(
    onset: str | None, *, sle: bool | None = False, flare: bool = False, as_of: str = "2020-12-31"
) -> pd.Series:
    patient: dict[str, object] = {"patient_id": "P", "centre": "X", "sle": sle}
    patient["sle_onset_date"] = pd.Timestamp(onset) if onset else pd.NaT
    c = cohort(
        [period("P", "2020-01-01", None, 5)],
        [visit("P", "2020-01-01", 10)],
        patients=[patient],
        flares=[{"patient_id": "P", "flare_date": "2020-03-01", "severity": "severe"}]
        if flare
        else [],
    )
    return derive(c, ["aitmehdi2021"], as_of=as_of).iloc[0]


def test_a_flare_row_without_a_diagnosis_is_not_new_sle() -> None:
    row = _row(None, flare=True)
    assert bool(row["sle_flare"])  # the flare itself is still reported
    assert not bool(row["new_sle"])  # the old derivation called any flare row new SLE


@pytest.mark.parametrize(
    ("onset", "expected"),
    [
        ("2019-06-01", False),  # diagnosed before the index date: not new (and not CLE-only)
        ("2020-01-01", False),  # on the index date: not after starting
        ("2020-01-02", True),  # the day after the index date
        ("2020-12-31", True),  # on the last day of follow-up (as_of)
        ("2021-01-01", False),  # after the end of follow-up: not yet known at as_of
    ],
)
def test_diagnosis_date_edges(onset: str, expected: bool) -> None:
    assert bool(_row(onset)["new_sle"]) is expected


def test_only_for_patients_recorded_without_sle() -> None:
    assert pd.isna(_row("2020-06-01", sle=True)["new_sle"])
    assert pd.isna(_row("2020-06-01", sle=None)["new_sle"])


def test_sle_onset_date_may_be_absent() -> None:
    c = cohort(
        [period("P", "2020-01-01", None, 5)],
        [visit("P", "2020-01-01", 10)],
        patients=[{"patient_id": "P", "centre": "X", "sle": False}],
        flares=[{"patient_id": "P", "flare_date": "2020-03-01", "severity": "mild"}],
    )
    assert not bool(derive(c, ["aitmehdi2021"]).iloc[0]["new_sle"])


def test_summary_counts_new_sle_among_isolated_cle() -> None:
    # Four CLE-only patients: A diagnosed 2020-05-01, B a flare row only, C and D nothing;
    # one SLE patient E. Aitmehdi 2021 Table 2 shape: 1/14 -> here 1/4 (E not counted).
    ids = "ABCDE"
    c = cohort(
        [period(p, "2020-01-01", None, 5) for p in ids],
        [visit(p, "2020-01-01", 10) for p in ids],
        patients=[
            {
                "patient_id": p,
                "centre": "X",
                "sle": p == "E",
                "sle_onset_date": pd.Timestamp("2020-05-01") if p == "A" else pd.NaT,
            }
            for p in ids
        ],
        flares=[{"patient_id": "B", "flare_date": "2020-03-01", "severity": "mild"}],
    )
    summary = summarise(derive(c, ["aitmehdi2021"], as_of="2020-12-31"))
    got = summary[summary["outcome"] == "new_sle"][["n", "denominator"]].values.tolist()
    assert got == [[1, 4]]


def test_a_diagnosis_date_that_is_not_a_date_is_refused() -> None:
    c = cohort(
        [period("P", "2020-01-01", None, 5), period("Q", "2020-01-01", None, 5)],
        [visit("P", "2020-01-01", 10)],
        patients=[
            {"patient_id": "P", "centre": "X", "sle": False, "sle_onset_date": "2020-05-01"},
            {"patient_id": "Q", "centre": "X", "sle": False, "sle_onset_date": "soon"},
        ],
    )
    problem = first_refusal(c)
    assert (problem.field, problem.value, problem.file, problem.row) == (
        "sle_onset_date",
        "soon",
        "patients",
        2,
    )
    assert "YYYY-MM-DD" in problem.allowed
