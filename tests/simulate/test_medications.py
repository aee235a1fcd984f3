"""Concomitant medications of simulated cohorts (Aitmehdi 2021, Table 1)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from clears.cohort import (
    ANTITHROMBOTIC_CLASSES,
    Cohort,
    medication_class,
    prednisone_equivalent,
)
from clears.simulate import simulate


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return simulate("aitmehdi2021", 1000, np.random.default_rng(7))


def _share(cohort: Cohort, drug: str) -> tuple[int, int]:
    meds = cohort.concomitant_medications
    return meds.loc[meds["drug"] == drug, "patient_id"].nunique(), cohort.n_patients


@pytest.mark.slow
@pytest.mark.parametrize(
    ("drug", "published"),
    [
        # Aitmehdi 2021, Table 1: low-dose aspirin 35 (88) and hydroxychloroquine 35 (88) of 40.
        ("aspirin", 35 / 40),
        ("hydroxychloroquine", 35 / 40),
        # Table 1: oral glucocorticoids 13 of 40.
        ("prednisone", 13 / 40),
    ],
)
def test_shares_match_table_1(cohort: Cohort, drug: str, published: float) -> None:
    taking, n = _share(cohort, drug)
    # The published share lies inside the 99.9 % exact CI of the simulated share.
    low, high = binomtest(taking, n).proportion_ci(confidence_level=0.999)
    assert low <= published <= high, (drug, taking / n)


def test_aspirin_is_thromboprophylaxis_during_lenalidomide(cohort: Cohort) -> None:
    meds = cohort.concomitant_medications
    aspirin = meds[meds["drug"] == "aspirin"].set_index("patient_id")
    periods = cohort.treatments[cohort.treatments["drug"] == "lenalidomide"]
    index = periods.groupby("patient_id")["start_date"].min()
    assert (aspirin["start_date"] == index.reindex(aspirin.index)).all()
    assert set(aspirin["indication"]) == {"thromboprophylaxis"}
    assert medication_class("aspirin") in ANTITHROMBOTIC_CLASSES
    ongoing = periods["end_date"].isna().groupby(periods["patient_id"]).any()
    assert (aspirin["end_date"].isna() == ongoing.reindex(aspirin.index)).all()


def test_prednisone_is_below_10_mg_a_day(cohort: Cohort) -> None:
    # Cortés-Hernández 2012 eligibility: "stable prednisone (< 10 mg/day)".
    meds = cohort.concomitant_medications
    steroids = meds[meds["drug"].map(medication_class) == "glucocorticoid"]
    assert len(steroids)
    doses = [
        prednisone_equivalent(d, dose, unit)
        for d, dose, unit in steroids[["drug", "dose", "dose_unit"]].itertuples(index=False)
    ]
    assert max(doses) < 10


def test_medications_follow_the_baseline_flags(cohort: Cohort) -> None:
    meds = cohort.concomitant_medications
    flagged = cohort.patients.loc[cohort.patients["concomitant_aspirin"], "patient_id"]
    assert set(meds.loc[meds["drug"] == "aspirin", "patient_id"]) == set(flagged)
