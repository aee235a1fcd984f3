"""'Stopped in CR without relapse': stopping *because of* CR, in CR, and no relapse after.

Aitmehdi 2021 (J Am Acad Dermatol 2021;84(4):1171-1174, seed 000): "Three (8%) patients were
able to discontinue lenalidomide because of CR without relapse". Relapse under cortes2012:
"a new CLASI ≥ 4 in those who previously achieved CR" (Cortés-Hernández 2012, seed 001),
on a taper or off drug. Days count from the index date 2020-01-01 (2020 is a leap year).
"""

from __future__ import annotations

import pandas as pd
import pytest

from clears.outcomes import derive

from ._build import cohort, period, visit


def stopped(periods: list[dict[str, object]], scores: list[tuple[str, float]]) -> bool:
    c = cohort(periods, [visit("P", d, s) for d, s in scores])
    row = derive(c, ["cortes2012"]).iloc[0]
    return bool(row["stopped_in_cr_without_relapse"])


# CR (10 -> 0) on 2020-03-01; stopped 2020-06-01; 2020-09-01 CLASI-A 2 (< 4: no relapse).
_IN_CR = [("2020-01-01", 10), ("2020-03-01", 0), ("2020-09-01", 2)]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("complete_response", True),
        # Stopped while in CR, but for another reason: not "because of CR" (the old
        # derivation counted any discontinuation after a CR).
        ("adverse_event", False),
        ("patient_choice", False),
        ("taper", False),
        (None, False),
    ],
)
def test_the_stop_must_be_because_of_cr(reason: str | None, expected: bool) -> None:
    assert stopped([period("P", "2020-01-01", "2020-06-01", 5, reason)], _IN_CR) is expected


def test_not_in_cr_at_the_stop() -> None:
    # CR on 2020-03-01, but CLASI-A 2 on 2020-05-15, the last visit before the stop: the
    # recorded reason says CR, the data say otherwise (2 < 4 is no relapse either).
    scores = [("2020-01-01", 10), ("2020-03-01", 0), ("2020-05-15", 2), ("2020-09-01", 2)]
    assert not stopped([period("P", "2020-01-01", "2020-06-01", 5, "complete_response")], scores)


def test_relapse_after_the_stop() -> None:
    # CLASI-A 4 on 2020-09-01, off drug after a CR: a relapse after withdrawal.
    scores = [("2020-01-01", 10), ("2020-03-01", 0), ("2020-09-01", 4)]
    assert not stopped([period("P", "2020-01-01", "2020-06-01", 5, "complete_response")], scores)


def test_an_earlier_relapse_then_a_new_cr_and_a_stop_because_of_it() -> None:
    # CR on 10 mg (2020-02-01), relapse on the 5 mg taper (2020-03-15, CLASI-A 5 on 5 mg <
    # 10 mg), back to 10 mg and a new CR (2020-05-01), stopped because of CR 2020-08-01,
    # no relapse after (CLASI-A 0 and 1 off drug). The old derivation said False because
    # a relapse had ever occurred.
    periods = [
        period("P", "2020-01-01", "2020-03-01", 10),
        period("P", "2020-03-01", "2020-04-01", 5),
        period("P", "2020-04-01", "2020-08-01", 10, "complete_response"),
    ]
    scores = [
        ("2020-01-01", 10),
        ("2020-02-01", 0),
        ("2020-03-15", 5),
        ("2020-05-01", 0),
        ("2020-07-15", 0),
        ("2020-10-01", 1),
    ]
    assert stopped(periods, scores)
    # Other side: a relapse after the stop (CLASI-A 4 on 2020-10-01).
    assert not stopped(periods, [*scores[:-1], ("2020-10-01", 4)])


def test_missing_for_presets_without_a_complete_level() -> None:
    c = cohort(
        [period("P", "2020-01-01", "2020-06-01", 5, "complete_response")],
        [visit("P", d, s) for d, s in _IN_CR],
    )
    assert pd.isna(derive(c, ["klein2011"]).iloc[0]["stopped_in_cr_without_relapse"])
