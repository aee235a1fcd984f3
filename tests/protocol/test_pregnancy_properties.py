"""Pregnancy-prevention invariants over generated histories (issue 12, hazard class 1).

Issue 12: "never START/CONTINUE after a performed positive pregnancy test with no later
performed negative; never START for a female of reproductive potential without two qualifying
negatives". The oracles below restate the rules from the sources (REMS,
docs/reference/lenalidomide.md §3: "the first within 10–14 days before prescribing; the second
within 24 hours before prescribing"), independently of clears.protocol._pregnancy.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.protocol import advise

pytestmark = pytest.mark.slow  # property tests with many generated histories

AS_OF = dt.date(2024, 6, 1)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: Actions that give a dose.
DOSING = frozenset({"start", "continue", "increase", "decrease", "taper", "restart"})


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    """A woman (or someone of blank sex), maybe treated, with tests in the last 40 days."""
    tests = draw(
        st.dictionaries(
            st.integers(0, 40),
            st.sampled_from(["positive", "negative", "not_done", None]),
            max_size=6,
        )
    )
    if draw(st.booleans()):  # often a pair of negatives at 10-14 and 0-1 days (REMS edges)
        pair = {draw(st.integers(9, 15)): "negative", draw(st.integers(0, 2)): "negative"}
        tests = {**pair, **{k: v for k, v in tests.items() if draw(st.booleans())}}
    kind = draw(st.sampled_from(["none", "none", "running", "ended", "interrupted"]))
    periods = []
    if kind != "none":
        start = AS_OF - dt.timedelta(days=draw(st.integers(1, 120)))
        end = None
        if kind != "running":
            end = start + dt.timedelta(days=draw(st.integers(0, (AS_OF - start).days)))
        reason = {"ended": "taper", "interrupted": "adverse_event"}.get(kind)
        periods.append((start, end, draw(st.sampled_from([2.5, 5.0, 10.0])), reason))
    return {
        "tests": tests,
        "periods": periods,
        "clasi": draw(st.lists(st.integers(0, 20), min_size=1, max_size=3)),
        "patient": {
            "sex": draw(st.sampled_from(["F", "F", None])),
            "birth_year": draw(st.sampled_from([1950, 1963, 1964, 1980, 1995, None])),
            "reproductive_potential": draw(st.sampled_from([True, False, None])),
            "reproductive_potential_basis": draw(
                st.sampled_from([None, "menstruating", "natural_menopause", "other"])
            ),
            "contraception": True,
        },
    }


def _advise(b: SimpleNamespace, h: dict[str, Any]) -> Any:
    visits = [
        b.visit((AS_OF - dt.timedelta(days=k)).isoformat(), pregnancy_test=v)
        for k, v in sorted(h["tests"].items(), reverse=True)
    ]
    for i, score in enumerate(h["clasi"]):
        day = AS_OF - dt.timedelta(days=7 * i)
        visits.append(
            b.visit(day.isoformat(), clasi_a=score, anc=3.0, wbc=6.0, platelets=250, hb=13.5)
        )
    treatments = [
        b.period(s.isoformat(), mg, e.isoformat() if e else None, end_reason=r)
        for s, e, mg, r in h["periods"]
    ]
    cohort = b.cohort(patients=[b.patient(**h["patient"])], treatments=treatments, visits=visits)
    return advise(cohort, "P1", as_of=AS_OF)


def _performed(h: dict[str, Any]) -> list[tuple[int, str]]:
    """(days before AS_OF, result) of performed tests, oldest first."""
    done = [(k, v) for k, v in h["tests"].items() if v in ("positive", "negative")]
    return sorted(done, reverse=True)


def _positive_stands(h: dict[str, Any]) -> bool:
    positives = [k for k, v in _performed(h) if v == "positive"]
    if not positives:
        return False
    latest = min(positives)  # fewest days before AS_OF
    return not any(v == "negative" and k < latest for k, v in _performed(h))


def _two_qualifying_negatives(h: dict[str, Any]) -> bool:
    positives = [k for k, v in _performed(h) if v == "positive"]
    after = [
        k for k, v in _performed(h) if v == "negative" and (not positives or k < min(positives))
    ]
    return any(10 <= k <= 14 for k in after) and any(k <= 1 for k in after)


def _of_potential(h: dict[str, Any]) -> bool:
    p = h["patient"]
    return (
        p["reproductive_potential"] is True or p["reproductive_potential_basis"] == "menstruating"
    )


@SETTINGS
@given(histories())
def test_never_dosed_while_a_positive_test_stands(b: SimpleNamespace, h: dict[str, Any]) -> None:
    a = _advise(b, h)
    if _positive_stands(h):
        assert a.dose.action not in DOSING
        assert a.dose.dose_mg_per_day == 0.0


@SETTINGS
@given(histories())
def test_never_started_without_two_qualifying_negatives(
    b: SimpleNamespace, h: dict[str, Any]
) -> None:
    a = _advise(b, h)
    if a.dose.action == "start" and _of_potential(h):
        assert _two_qualifying_negatives(h)


@SETTINGS
@given(histories())
def test_blank_potential_is_never_read_as_no_below_60(
    b: SimpleNamespace, h: dict[str, Any]
) -> None:
    p = h["patient"]
    blank = p["reproductive_potential"] is None and p["reproductive_potential_basis"] in (
        None,
        "other",
    )
    young = p["birth_year"] is None or AS_OF.year - p["birth_year"] - 1 < 60
    # After a stop testing goes on only to a last test 28 days later (overdue for 28 days more
    # if never done); those edges have their own tests (vignettes preg-18 ... preg-20,
    # preg-34, preg-35), so the schedule is asserted here only while no course has stopped.
    ended_long_ago = any(
        end is not None and reason != "adverse_event" for _, end, _, reason in h["periods"]
    )
    a = _advise(b, h)
    if blank and young:
        assert a.dose.action != "start"
        if not ended_long_ago:
            assert any(m.rule == "monitoring.pregnancy_test" for m in a.monitoring)
