"""Advice, ``clears outcomes`` and the web patient page classify the same data the same way.

Issue 12, hazard 11 (invariant: "advice and outcomes agree on the response category"). The
cohort is written from the Cortés-Hernández 2012 definitions (doi:10.1186/ar4111, Methods):
CR is CLASI-A = 0, PR at least a 50 % improvement from baseline; baseline is the last CLASI-A
on or before the first dose and at most 30 days before it (clears.outcomes), and a baseline
of 0 has no percentage (docs/criteria.md). Every history falls or stays level (one worsens), so the
best response over follow-up is the response at the last visit, which is what the advice
judges.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.outcomes import derive
from clears.protocol import advise
from clears.web._patient_view import protocol_criteria, response_status

pytestmark = pytest.mark.slow  # property tests with many generated histories

AS_OF = dt.date(2024, 2, 26)
#: patient -> ((date, CLASI-A), ...), expected category under cortes2012 (the paper's words).
HISTORIES: dict[str, tuple[tuple[tuple[str, float], ...], str]] = {
    "A": ((("2024-01-01", 50), ("2024-02-26", 25)), "partial"),  # (50 - 25) / 50 = 50 %
    "B": ((("2024-01-01", 49), ("2024-02-26", 25)), "none"),  # 24 / 49 = 49 %
    "C": ((("2024-01-01", 10), ("2024-01-29", 5), ("2024-02-26", 0)), "complete"),  # 0
    "D": ((("2024-01-01", 10), ("2024-02-26", 1)), "partial"),  # 1 is not 0; 90 %
    "E": ((("2024-01-01", 10), ("2024-02-26", 10)), "none"),  # no improvement
    "F": ((("2024-01-01", 10), ("2024-02-26", 12)), "none"),  # worsening
    "G": ((("2023-12-02", 12), ("2024-02-26", 6)), "partial"),  # baseline 30 days before
    "H": ((("2023-12-01", 12), ("2024-02-26", 6)), "not_evaluable"),  # 31 days: no baseline
    "I": ((("2024-01-01", 0), ("2024-02-26", 0)), "not_evaluable"),  # baseline 0
}


def _cohort(b: SimpleNamespace, histories: dict[str, Any]) -> Any:
    patients, treatments, visits = [], [], []
    for pid, (scores, _) in histories.items():
        patients.append({"patient_id": pid, "centre": "C1", "sex": "M", "birth_year": 1970})
        treatments.append(
            {
                "patient_id": pid,
                "drug": "lenalidomide",
                "start_date": "2024-01-01",
                "dose_mg_per_day": 5,
            }
        )
        visits += [{"patient_id": pid, "visit_date": d, "clasi_a": v} for d, v in scores]
    return b.cohort(patients=patients, treatments=treatments, visits=visits)


def _advice_category(cohort: Any, pid: str, as_of: dt.date) -> tuple[str, Any, Any]:
    basis = advise(cohort, pid, as_of=as_of).dose.basis
    return basis["response_category"], basis["baseline_date"], basis["baseline_clasi_a"]


def test_the_default_protocol_and_the_page_use_the_cortes_preset() -> None:
    assert protocol_criteria("cortes2012") == "cortes2012"
    assert protocol_criteria("okon_braunstein") == "braunstein2012"


def test_advice_outcomes_and_patient_page_agree(b: SimpleNamespace) -> None:
    cohort = _cohort(b, HISTORIES)
    outcomes = derive(cohort, ["cortes2012"], as_of=pd.Timestamp(AS_OF)).set_index("patient_id")
    for pid, (_, expected) in HISTORIES.items():
        category, base_date, base_value = _advice_category(cohort, pid, AS_OF)
        row = outcomes.loc[pid]
        page = response_status(cohort, pid, "cortes2012")
        assert (category, row["best_response"], page["best_response"]) == (expected,) * 3, pid
        if expected != "not_evaluable" or pid == "I":
            assert base_date == row["baseline_date"].date(), pid
            assert base_value == row["baseline_clasi_a"] == page["baseline_clasi_a"], pid
        else:
            assert base_date is None, pid
            assert pd.isna(row["baseline_date"]), pid


@st.composite
def falling_histories(draw: st.DrawFn) -> dict[str, Any]:
    """One patient: a baseline 0-40 days before the start, then non-increasing CLASI-A."""
    lead = draw(st.integers(0, 40))
    baseline = draw(st.integers(0, 70))
    steps = draw(st.lists(st.integers(0, 15), min_size=1, max_size=4))
    scores = [(dt.date(2024, 1, 1) - dt.timedelta(days=lead), float(baseline))]
    value = baseline
    for i, step in enumerate(steps):
        value = max(0, value - step)
        scores.append((dt.date(2024, 1, 1) + dt.timedelta(days=28 * (i + 1)), float(value)))
    return {"P": (tuple((d.isoformat(), v) for d, v in scores), None)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(falling_histories())
def test_advice_and_outcomes_agree_on_generated_histories(
    b: SimpleNamespace, histories: dict[str, Any]
) -> None:
    # Property (issue 12): advice and outcomes agree on the response category.
    cohort = _cohort(b, histories)
    last = dt.date.fromisoformat(histories["P"][0][-1][0])
    row = derive(cohort, ["cortes2012"], as_of=pd.Timestamp(last)).iloc[0]
    category, _, _ = _advice_category(cohort, "P", last)
    assert category == row["best_response"]


@pytest.mark.parametrize("protocol", ["cortes2012", "okon_braunstein"])
def test_every_bundled_protocol_agrees_with_its_preset(b: SimpleNamespace, protocol: str) -> None:
    cohort = _cohort(b, HISTORIES)
    preset = protocol_criteria(protocol)
    assert preset is not None
    outcomes = derive(cohort, [preset], as_of=pd.Timestamp(AS_OF)).set_index("patient_id")
    for pid in HISTORIES:
        basis = advise(cohort, pid, as_of=AS_OF, protocol=protocol).dose.basis
        assert basis["response_category"] == outcomes.loc[pid, "best_response"], pid
