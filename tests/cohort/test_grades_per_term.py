"""Adverse-event grades per CTCAE v5.0 term: a grade the term does not define is refused.

CTCAE v5.0 (NCI, 27 November 2017), "CTCAE v5.0 Clean Copy" sheet: Fatigue has grades 1-3
(grades 4 and 5 are "–"), as has Pruritus; Arterial thromboembolism has grades 3-5. A term
outside the CTCAE list (a MedDRA preferred term) keeps the generic scale 1-5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

from clears.cohort import Cohort, validate

TODAY = dt.date(2024, 6, 30)


def _events(terms: list[str], grades: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["P1"] * len(terms),
            "onset_date": [f"2020-02-{10 + i}" for i in range(len(terms))],
            "term": terms,
            "grade": grades,
        }
    )


@pytest.mark.parametrize(
    ("term", "grade", "allowed"),
    [("Fatigue", "4", "1, 2, 3"), ("fatigue", "5", "1, 2, 3"), ("Pruritus", "4", "1, 2, 3")],
)
def test_a_grade_the_term_does_not_define_is_refused(
    frames: dict[str, pd.DataFrame],
    cohort_of: Callable[..., Cohort],
    term: str,
    grade: str,
    allowed: str,
) -> None:
    problems = validate(cohort_of(frames, adverse_events=_events([term], [grade])), today=TODAY)
    (problem,) = problems
    assert (problem.file, problem.row, problem.field) == ("adverse_events", 1, "grade")
    assert problem.message.startswith(f"grade {grade} does not exist for ")
    assert problem.message.endswith(" in CTCAE v5.0")
    assert problem.allowed == allowed
    assert problem.patient == "P1"


def test_grades_the_terms_define_and_terms_outside_ctcae_pass(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    events = _events(
        ["Fatigue", "Arterial thromboembolism", "Lupus-like syndrome, not in CTCAE"],
        ["3", "5", "5"],
    )
    assert validate(cohort_of(frames, adverse_events=events), today=TODAY) == []


def test_a_grade_outside_1_to_5_is_reported_once(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    problems = validate(cohort_of(frames, adverse_events=_events(["Fatigue"], ["6"])), today=TODAY)
    assert [p.field for p in problems] == ["grade"]  # the range, not also the term's grades
