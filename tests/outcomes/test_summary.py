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


def test_sle_flares_are_counted_among_patients_with_sle() -> None:
    # Aitmehdi 2021 Table 2: "Patients with SLE flare (among 26 with SLE) 8 (31)" and
    # "Severe SLE flare 4 (15)" = 4/26. Here: S1 (severe flare), S2 (mild flare), S3 (none)
    # have SLE; C1 and C2 (CLE only) have flare rows; U has no SLE status. SLE flare 2/3,
    # severe 1/3 (the old summary divided by all 6 patients and counted C1, C2 and U).
    ids = ["S1", "S2", "S3", "C1", "C2", "U"]
    sle = {"S1": True, "S2": True, "S3": True, "C1": False, "C2": False, "U": None}
    c = cohort(
        [period(p, "2020-01-01", None, 5) for p in ids],
        [visit(p, "2020-01-01", 10) for p in ids],
        patients=[{"patient_id": p, "centre": "X", "sle": sle[p]} for p in ids],
        flares=[
            {"patient_id": "S1", "flare_date": "2020-02-01", "severity": "severe"},
            {"patient_id": "S2", "flare_date": "2020-02-01", "severity": "mild"},
            {"patient_id": "C1", "flare_date": "2020-02-01", "severity": "severe"},
            {"patient_id": "C2", "flare_date": "2020-02-01", "severity": "mild"},
            {"patient_id": "U", "flare_date": "2020-02-01", "severity": "mild"},
        ],
    )
    out = derive(c, ["aitmehdi2021"], as_of="2020-12-31")
    status = out.set_index("patient_id")["sle_at_index"]
    assert str(status.dtype) == "boolean"
    assert status.drop("U").to_dict() == {p: v for p, v in sle.items() if p != "U"}
    assert pd.isna(status["U"])
    summary = summarise(out)
    assert _get(summary, "aitmehdi2021", "sle_flare") == (2, 3)
    assert _get(summary, "aitmehdi2021", "sle_flare_severe") == (1, 3)
