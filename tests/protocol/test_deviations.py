"""The retrospective protocol check: one row per visit, deviations where the dose differed."""

from __future__ import annotations

from types import SimpleNamespace

from clears.protocol import deviations
from clears.protocol._deviations import DEVIATION_COLUMNS


def test_followed_and_deviating_visits(b: SimpleNamespace) -> None:
    # Start 5 mg on 2024-01-01 (protocol: start 5 mg -> followed). At the 2024-01-29 visit
    # (day 28) CLASI-A 10 -> 10 is no improvement: the protocol says 10 mg/day, but 5 mg was
    # kept -> deviation. At 2024-02-26, CLASI-A 10 -> 4 is 60 % (partial): keep 5 mg -> followed.
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[b.period("2024-01-01", 5)],
        visits=[
            b.visit("2024-01-01", clasi_a=10),
            b.visit("2024-01-29", clasi_a=10),
            b.visit("2024-02-26", clasi_a=4),
        ],
    )
    table = deviations(cohort)
    assert tuple(table.columns) == DEVIATION_COLUMNS
    assert table["deviation"].tolist() == [False, True, False]
    row = table.iloc[1]
    assert (row["advised_action"], row["advised_mg_per_day"], row["actual_mg_per_day"]) == (
        "increase",
        10.0,
        5.0,
    )
    assert row["rule"] == "cortes2012.no_improvement"
    only = deviations(cohort, only_deviations=True)
    assert len(only) == 1


def test_a_change_made_at_the_visit_is_judged_on_the_state_entering_it(b: SimpleNamespace) -> None:
    # Escalated to 10 mg on the day-28 visit: the protocol's advice (10 mg) matches what was done.
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[b.period("2024-01-01", 5, "2024-01-29"), b.period("2024-01-29", 10)],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-01-29", clasi_a=10)],
    )
    assert deviations(cohort)["deviation"].tolist() == [False, False]
