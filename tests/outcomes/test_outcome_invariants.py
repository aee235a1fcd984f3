"""Invariants of the hazard-12 outcomes over generated histories (Hypothesis).

Each follows from a definition in docs/outcomes.md: relapse is "at least one" relapse;
stopping "because of CR" (Aitmehdi 2021) needs ``end_reason = complete_response``; time to
relapse runs from a withdrawal, a reduction or the response, all on or before the relapse
visit; a minimum effective dose is a dose the patient received.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears.outcomes import derive

from .test_derive import _random_cohort

PRESETS = ["aitmehdi2021", "cortes2012", "clasi50", "klein2011", "braunstein2012"]


@pytest.mark.slow  # property test
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100_000))
def test_relapse_and_dosing_invariants(seed: int) -> None:
    c = _random_cohort(seed)
    reasons = np.array(["taper", "complete_response", "adverse_event", None], dtype=object)
    rng = np.random.default_rng(seed)
    treatments = c.treatments.assign(end_reason=reasons[rng.integers(0, 4, len(c.treatments))])
    c = type(c)(c.patients, treatments, c.visits, c.adverse_events, c.flares)
    out = derive(c, PRESETS)
    defined = out["n_relapses"].notna()
    assert (out.loc[defined, "relapse"].astype(bool) == (out.loc[defined, "n_relapses"] > 0)).all()
    assert out.loc[~defined, "relapse"].isna().all()
    timed = out["time_to_relapse_days"].notna()
    assert (out.loc[timed, "time_to_relapse_days"] >= 0).all()
    assert (
        out.loc[timed, "relapse_time_origin"]
        .isin(["withdrawal", "dose_reduction", "response"])
        .all()
    )
    stopped = out["stopped_in_cr_without_relapse"].fillna(False).astype(bool)
    assert (out.loc[stopped, "discontinuation_reason"] == "complete_response").all()
    assert (out.loc[stopped, "best_response"] == "complete").all()
    doses = c.treatments.groupby("patient_id")["dose_mg_per_day"].apply(set)
    med = out.dropna(subset=["min_effective_dose_mg_per_day"])
    for pid, dose in zip(med["patient_id"], med["min_effective_dose_mg_per_day"], strict=True):
        assert dose in doses[pid]
    has_med = out["min_effective_dose_mg_per_day"].notna()
    assert not (out["sustained_dose_reduction"].astype(bool) & ~has_med).any()
    assert pd.api.types.is_bool_dtype(out["sle_at_index"].dtype)
