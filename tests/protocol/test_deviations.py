"""The retrospective protocol check: one row per visit, deviations where the dose differed."""

from __future__ import annotations

from types import SimpleNamespace

from clears.protocol import deviations
from clears.protocol._definition import Regimen
from clears.protocol._deviations import DEVIATION_COLUMNS, DOSE_TOLERANCE_MG_PER_DAY, is_deviation


def test_followed_and_deviating_visits(b: SimpleNamespace) -> None:
    # Start 5 mg on 2024-01-01 (protocol: start 5 mg -> followed). At the 2024-01-29 visit
    # (day 28) CLASI-A 10 -> 10 is no improvement: the protocol says 10 mg/day, but 5 mg was
    # kept -> deviation. At 2024-02-26, CLASI-A 10 -> 4 is 60 % (partial): keep 5 mg -> followed.
    cohort = b.cohort(
        patients=[b.patient(sex="M")],  # a man: not a pregnancy-prevention test
        treatments=[b.period("2024-01-01", 5)],
        visits=[
            b.visit("2024-01-01", clasi_a=10, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
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
        patients=[b.patient(sex="M")],  # a man: not a pregnancy-prevention test
        treatments=[b.period("2024-01-01", 5, "2024-01-29"), b.period("2024-01-29", 10)],
        visits=[
            b.visit("2024-01-01", clasi_a=10, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
            b.visit("2024-01-29", clasi_a=10),
        ],
    )
    assert deviations(cohort)["deviation"].tolist() == [False, False]


def test_the_same_regimen_recorded_with_a_rounded_daily_dose_is_not_a_deviation(
    b: SimpleNamespace,
) -> None:
    # Issue 12, hazard 13. Cortés-Hernández 2012 (Results): "5 mg on alternate days or three
    # times weekly" as maintenance. 5 mg three times weekly = 5 x 3 / 7 = 2.142857 mg/day;
    # the registry records it rounded, 2.14. CR at 5 mg alternate days held for 28 days:
    # the taper advises the next lower regimen, 5 mg three times weekly, which was given.
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[
            b.period("2024-01-01", 2.5, "2024-02-26", regimen="5 mg alternate days"),
            b.period("2024-02-26", 2.14, regimen="5 mg three times weekly"),
        ],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-02-26", clasi_a=0)],
    )
    row = deviations(cohort).iloc[1]
    assert (row["advised_action"], row["advised_regimen"], row["actual_regimen"]) == (
        "taper",
        "5 mg three times weekly",
        "5 mg three times weekly",
    )
    assert abs(row["advised_mg_per_day"] - 15 / 7) < 1e-4
    assert row["actual_mg_per_day"] == 2.14
    assert not row["deviation"]


def test_a_rounded_daily_dose_without_regimen_text_matches_its_regimen(
    b: SimpleNamespace,
) -> None:
    # The same taper with only dose_mg_per_day recorded (2.14, no regimen text): 2.14 is
    # 0.0029 mg/day from 15/7, inside the tolerance, and 0.36 from 2.5 (alternate days).
    # (The first visit deviates: the course started at 2.5 mg/day, not the protocol's 5.)
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[
            b.period("2024-01-01", 2.5, "2024-02-26"),
            b.period("2024-02-26", 2.14),
        ],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-02-26", clasi_a=0)],
    )
    assert deviations(cohort)["deviation"].tolist() == [True, False]


def test_a_different_regimen_is_a_deviation(b: SimpleNamespace) -> None:
    # Taper advised to 5 mg three times weekly (2.143 mg/day) but 5 mg alternate days
    # (2.5 mg/day) kept: a different regimen, a deviation.
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[b.period("2024-01-01", 2.5, regimen="5 mg alternate days")],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-02-26", clasi_a=0)],
    )
    assert deviations(cohort)["deviation"].tolist() == [True, True]


def test_is_deviation_compares_regimens_then_doses() -> None:
    # 5 mg x 3 / 7 = 2.142857 mg/day; 5 mg x 3.5 / 7 = 2.5 mg/day.
    tiw = Regimen("5tiw", "5 mg three times weekly", 5, 3)
    qod = Regimen("5qod", "5 mg alternate days", 5, 3.5)
    assert not is_deviation((15 / 7, tiw), (2.14, tiw))
    assert is_deviation((15 / 7, tiw), (2.5, qod))
    # No regimen on one side: daily doses within 0.01 mg/day are the same dose, 0.02 apart
    # are not.
    assert not is_deviation((15 / 7, tiw), (2.14, None))
    assert not is_deviation((2.0, None), (2.0 + DOSE_TOLERANCE_MG_PER_DAY * 0.99, None))
    assert is_deviation((2.0, None), (2.0 + 2 * DOSE_TOLERANCE_MG_PER_DAY, None))
