"""Cohort summary and side-by-side comparison."""

from __future__ import annotations

import pandas as pd

from clears.outcomes import compare, derive, summarise

from ._build import cohort, period, visit

# A: 10 -> 0 (complete); B: 10 -> 8 (2 points = 20 %); C: baseline 0.
C = cohort(
    [period(p, "2020-01-01", None, 5) for p in "ABC"],
    [
        visit("A", "2020-01-01", 10),
        visit("A", "2020-03-01", 0),
        visit("B", "2020-01-01", 10),
        visit("B", "2020-03-01", 8),
        visit("C", "2020-01-01", 0),
        visit("C", "2020-03-01", 0),
    ],
)


def _get(summary: pd.DataFrame, criteria: str, outcome: str) -> tuple[int, int]:
    row = summary[(summary["criteria"] == criteria) & (summary["outcome"] == outcome)]
    assert len(row) == 1
    return int(row["n"].iloc[0]), int(row["denominator"].iloc[0])


def test_counts_and_denominators() -> None:
    summary = summarise(derive(C, ["aitmehdi2021", "braunstein2012"]))
    # Aitmehdi: C not evaluable (baseline 0); A complete, B minimal, of 2 evaluable.
    assert _get(summary, "aitmehdi2021", "evaluable") == (2, 3)
    assert _get(summary, "aitmehdi2021", "best_response:complete") == (1, 2)
    assert _get(summary, "aitmehdi2021", "best_response:minimal") == (1, 2)
    assert _get(summary, "aitmehdi2021", "best_response:not_evaluable") == (1, 3)
    # Relapse at risk: A and B reached a minimal response; neither relapsed.
    assert _get(summary, "aitmehdi2021", "relapse") == (0, 2)
    # Braunstein (>= 4 points): A yes (10 points), B no (2), C none (0 cannot fall).
    assert _get(summary, "braunstein2012", "best_response:partial") == (1, 3)
    assert _get(summary, "braunstein2012", "best_response:none") == (2, 3)
    p = summary.loc[summary["outcome"] == "best_response:complete", "proportion"].iloc[0]
    assert p == 0.5


def test_compare_shows_disagreement() -> None:
    wide = compare(derive(C, ["aitmehdi2021", "braunstein2012"]))
    assert list(wide.columns) == ["patient_id", "aitmehdi2021@1.0", "braunstein2012@1.0", "agree"]
    assert wide.set_index("patient_id")["agree"].to_dict() == {"A": False, "B": False, "C": False}
    same = compare(derive(C, ["aitmehdi2021", "klein2011"]), column="evaluable")
    assert same["agree"].all()
