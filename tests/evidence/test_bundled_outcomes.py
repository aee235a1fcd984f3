"""Bundled outcomes beyond response: counts as the papers report them, absent when not."""

from __future__ import annotations

import pytest

from clears.evidence import pooling_table


def _row(outcome: str, study: str) -> tuple[int, int]:
    inc, _ = pooling_table(outcome)
    row = inc.loc[inc["study"] == study].iloc[0]
    return int(row["events"]), int(row["n"])


def test_relapse_uses_the_reported_denominator() -> None:
    # Aitmehdi 2021 (doi:10.1016/j.jaad.2020.11.014): relapse 21/39.
    assert _row("relapse", "aitmehdi2021") == (21, 39)
    # Cortes-Hernandez 2012 (doi:10.1186/ar4111): relapse 9 of 12 after CR.
    assert _row("relapse", "cortes2012") == (9, 12)


@pytest.mark.parametrize(
    ("outcome", "study", "expected"),
    [
        # Cuadrado 2005 (doi:10.1016/j.amjmed.2004.04.030): neuropathy 13 of 48.
        ("neuropathy", "cuadrado2005", (13, 48)),
        # Aitmehdi 2021: 4 permanent discontinuations, 3 arterial events, of 40.
        ("ae_withdrawal", "aitmehdi2021", (4, 40)),
        ("thrombosis", "aitmehdi2021", (3, 40)),
    ],
)
def test_outcome_counts(outcome: str, study: str, expected: tuple[int, int]) -> None:
    assert _row(outcome, study) == expected


def test_an_outcome_not_reported_is_absent_not_zero() -> None:
    # Housman 2003 reports no neuropathy count: left out, with the reason.
    inc, exc = pooling_table("neuropathy")
    assert "housman2003" not in set(inc["study"])
    reason = exc.loc[exc["study"] == "housman2003", "reason"].iloc[0]
    assert reason == "neuropathy_n not reported"
