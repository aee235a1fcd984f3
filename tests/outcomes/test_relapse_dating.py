"""Relapse dating when the drug is restarted or the dose raised on the relapse visit.

Registries record a restart or a dose increase on the day the clinician sees the relapse. The
Cortés-Hernández 2012 rule (Arthritis Res Ther 2012;14(6):R265, doi:10.1186/ar4111: CLASI-A
≥ 4 after a complete response, on a lower dose than at the response or off drug) is judged
on the dose the patient was exposed to up to the visit, i.e. the dose in force before any
period that starts that day. Expected values are worked by hand from that definition.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clears.outcomes import derive

from ._build import cohort, period, visit


def one(c: object, preset: str = "cortes2012") -> pd.Series:
    out = derive(c, [preset])  # type: ignore[arg-type]
    assert len(out) == 1
    return out.iloc[0]


# 5 mg from 2020-01-01, withdrawn 2020-06-01; CR (CLASI-A 10 -> 0) on 2020-03-01 = day 60.
# Relapse visit 2020-09-01 (CLASI-A 6) = day 244 (31+29+31+30+31+30+31+31 days of 2020).
_WITHDRAWN = period("P", "2020-01-01", "2020-06-01", 5)
_VISITS = [visit("P", "2020-01-01", 10), visit("P", "2020-03-01", 0), visit("P", "2020-09-01", 6)]


@pytest.mark.parametrize("restart", ["2020-09-01", "2020-09-02"])
def test_restart_on_or_after_the_relapse_visit_counts_the_relapse_off_drug(restart: str) -> None:
    c = cohort([_WITHDRAWN, period("P", restart, None, 5)], _VISITS)
    row = one(c)
    # Off drug from 2020-06-01 until the restart: the visit judged on 0 mg/day.
    assert bool(row["relapse"])
    assert row["relapse_date"] == pd.Timestamp("2020-09-01")
    assert row["time_from_response_to_relapse_days"] == 244 - 60
    # From the withdrawal on 2020-06-01 (day 152): 244 - 152 = 92 days.
    assert row["time_to_relapse_days"] == 244 - 152
    assert row["relapse_dose_mg_per_day"] == 0
    assert row["relapse_setting"] == "after_withdrawal"


def test_restart_the_day_before_the_visit_is_on_the_restored_dose() -> None:
    # Other side of the edge: restarted 2020-08-31 at the 5 mg of the CR, so on 2020-09-01
    # the patient is on the response dose, which Cortés 2012 does not call a relapse.
    c = cohort([_WITHDRAWN, period("P", "2020-08-31", None, 5)], _VISITS)
    row = one(c)
    assert not bool(row["relapse"])
    assert pd.isna(row["relapse_dose_mg_per_day"])


def test_dose_increase_on_the_relapse_visit_is_judged_on_the_tapered_dose() -> None:
    # CR on 5 mg (day 60); taper to 2.5 mg from 2020-04-01; back to 5 mg on the visit day.
    c = cohort(
        [
            period("P", "2020-01-01", "2020-04-01", 5),
            period("P", "2020-04-01", "2020-09-01", 2.5),
            period("P", "2020-09-01", None, 5),
        ],
        [visit("P", "2020-01-01", 10), visit("P", "2020-03-01", 0), visit("P", "2020-09-01", 5)],
    )
    row = one(c)
    assert bool(row["relapse"])
    assert row["relapse_dose_mg_per_day"] == 2.5
    assert row["relapse_setting"] == "after_dose_reduction"


def test_taper_started_at_the_response_visit_keeps_the_response_dose() -> None:
    # CR seen on 2020-04-01 (day 91) on 5 mg; the taper to 2.5 mg starts that same day. The
    # response was reached on 5 mg, so CLASI-A 4 on 2.5 mg on 2020-06-01 is a relapse on
    # taper: 2.5 < 5 (before the fix the response dose was read as 2.5 and it was missed).
    c = cohort(
        [period("P", "2020-01-01", "2020-04-01", 5), period("P", "2020-04-01", None, 2.5)],
        [visit("P", "2020-01-01", 10), visit("P", "2020-04-01", 0), visit("P", "2020-06-01", 4)],
    )
    row = one(c)
    assert bool(row["relapse"])
    assert row["relapse_setting"] == "after_dose_reduction"
    # From the reduction to 2.5 mg on 2020-04-01 (day 91), which is also the response day.
    assert row["time_to_relapse_days"] == 152 - 91  # 2020-06-01 is day 152
    assert row["relapse_time_origin"] == "dose_reduction"


def test_withdrawal_day_is_still_off_drug() -> None:
    # Unchanged by the fix: no period starts on the withdrawal day 2020-06-01, and the
    # half-open period [2020-01-01, 2020-06-01) no longer covers it: 0 mg/day.
    c = cohort(
        [_WITHDRAWN],
        [visit("P", "2020-01-01", 10), visit("P", "2020-03-01", 0), visit("P", "2020-06-01", 4)],
    )
    row = one(c)
    assert bool(row["relapse"])
    assert row["relapse_dose_mg_per_day"] == 0
    assert row["relapse_setting"] == "after_withdrawal"


def test_benchmark_history_cr_off_drug_then_relapse_on_the_restart_day() -> None:
    # The history on which benchmarks/bench_outcomes.py's per-patient baseline disagreed
    # (patient S000623 of the 100,000-patient synthetic cohort, cortes2012). Withdrawn
    # 2016-06-20; CR (CLASI-A 0) seen off drug on 2016-06-22; CLASI-A 6 on 2016-08-25, the
    # day 2.5 mg is restarted. The restart answers the relapse and has not acted yet, so
    # the visit is judged off drug: Cortés 2012's "new CLASI ≥ 4 in those who previously
    # achieved CR following treatment withdrawal". The baseline judged it on the restarted
    # 2.5 mg (> 0 mg at the CR) and missed it; the baseline was wrong and is fixed.
    c = cohort(
        [
            period("P", "2015-10-07", "2016-04-10", 5, "adverse_event"),
            period("P", "2016-04-10", "2016-06-20", 5, "inefficacy"),
            period("P", "2016-08-25", "2017-01-21", 2.5, "complete_response"),
        ],
        [
            visit("P", "2015-09-28", 13),
            visit("P", "2016-01-20", 5),
            visit("P", "2016-06-22", 0),
            visit("P", "2016-08-25", 6),
            visit("P", "2016-10-05", 0),
        ],
    )
    row = one(c)
    assert bool(row["relapse"])
    assert row["relapse_date"] == pd.Timestamp("2016-08-25")
    assert row["relapse_setting"] == "after_withdrawal"
    assert row["relapse_dose_mg_per_day"] == 0
    # From the withdrawal: 10 days of June + 31 of July + 25 of August = 66 days.
    assert row["relapse_time_origin"] == "withdrawal"
    assert row["time_to_relapse_days"] == 66
