"""Properties of advise(): dose bounds, every item sourced, and no look-ahead past as_of."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.protocol import advise
from clears.protocol._definition import ACTIONS

START = dt.date(2024, 1, 1)
DOSES = (15 / 7, 2.5, 5.0, 10.0, 15.0)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    """A random synthetic history: contiguous dose periods, visits with labs, an as-of day."""
    n_periods = draw(st.integers(0, 4))
    periods, day = [], START
    for i in range(n_periods):
        length = draw(st.integers(7, 80))
        last = i == n_periods - 1 and draw(st.booleans())
        end = None if last else day + dt.timedelta(days=length)
        reason = draw(st.sampled_from([None, "taper", "adverse_event", "inefficacy", "pregnancy"]))
        periods.append((day, end, draw(st.sampled_from(DOSES)), reason))
        if end is None:
            break
        day = end + dt.timedelta(days=1)
    visits = []
    for offset in sorted(draw(st.sets(st.integers(-5, 300), max_size=8))):
        visits.append(
            {
                "day": START + dt.timedelta(days=offset),
                "clasi_a": draw(st.one_of(st.none(), st.integers(0, 30))),
                "anc": draw(st.one_of(st.none(), st.floats(0.1, 6.0))),
                "platelets": draw(st.one_of(st.none(), st.floats(5.0, 400.0))),
                "creatinine_clearance": draw(st.one_of(st.none(), st.floats(5.0, 120.0))),
                "sledai": draw(st.one_of(st.none(), st.integers(0, 30))),
                "pregnancy_test": draw(st.sampled_from([None, "negative", "positive"])),
            }
        )
    return {
        "periods": periods,
        "visits": visits,
        "as_of": START + dt.timedelta(days=draw(st.integers(0, 320))),
        "patient": {
            "sex": draw(st.sampled_from(["F", "M"])),
            "sle": draw(st.booleans()),
            "aps": draw(st.booleans()),
            "smoking": draw(st.sampled_from(["current", "former", "never"])),
            "thalidomide_neuropathy": draw(st.booleans()),
            "dialysis": draw(st.booleans()),
        },
        "protocol": draw(st.sampled_from(["cortes2012", "okon_braunstein"])),
    }


def cohort_of(
    b: SimpleNamespace, h: dict[str, Any], extra: dict[str, list[Any]] | None = None
) -> Any:
    treatments = [
        b.period(s.isoformat(), mg, e.isoformat() if e else None, end_reason=r)
        for s, e, mg, r in h["periods"]
    ]
    visits = [
        b.visit(
            v["day"].isoformat(), **{k: x for k, x in v.items() if k != "day" and x is not None}
        )
        for v in h["visits"]
    ]
    tables: dict[str, list[Any]] = {
        "treatments": treatments,
        "visits": visits,
        "adverse_events": [],
        "flares": [],
    }
    for name, rows in (extra or {}).items():
        tables[name] = tables[name] + rows
    return b.cohort(patients=[b.patient(**h["patient"])], **tables)


@SETTINGS
@given(histories())
def test_dose_stays_within_0_and_10_mg_per_day(b: SimpleNamespace, h: dict[str, Any]) -> None:
    a = advise(cohort_of(b, h), "P1", as_of=h["as_of"], protocol=h["protocol"])
    assert 0.0 <= a.dose.dose_mg_per_day <= 10.0
    assert a.dose.action in ACTIONS


@SETTINGS
@given(histories())
def test_every_item_names_a_rule_and_a_reference(b: SimpleNamespace, h: dict[str, Any]) -> None:
    a = advise(cohort_of(b, h), "P1", as_of=h["as_of"], protocol=h["protocol"])
    d = a.to_dict()
    items = [d["dose"], *d["alerts"], *d["monitoring"], *d["eligibility"]["criteria"]]
    for item in items:
        assert item["rule"]
        assert item["reference"]


@SETTINGS
@given(histories(), st.integers(1, 200), st.data())
def test_rows_after_as_of_change_nothing(
    b: SimpleNamespace, h: dict[str, Any], later: int, data: st.DataObject
) -> None:
    before = advise(cohort_of(b, h), "P1", as_of=h["as_of"], protocol=h["protocol"]).to_dict()
    future = (h["as_of"] + dt.timedelta(days=later)).isoformat()
    extra = {
        "treatments": [
            b.period(future, data.draw(st.sampled_from(DOSES)), end_reason="inefficacy")
        ],
        "visits": [
            b.visit(
                future,
                clasi_a=data.draw(st.integers(0, 30)),
                anc=0.2,
                platelets=10.0,
                pregnancy_test="positive",
                creatinine_clearance=10.0,
                sledai=30,
            )
        ],
        "adverse_events": [
            {
                "patient_id": "P1",
                "onset_date": future,
                "term": "Peripheral sensory neuropathy",
                "grade": 3,
            }
        ],
        "flares": [{"patient_id": "P1", "flare_date": future, "severity": "severe"}],
    }
    # a running period that ends in the future, with a reason, must look the same as running
    periods = list(h["periods"])
    if periods and periods[-1][1] is None and periods[-1][0] <= h["as_of"]:
        s, _, mg, _ = periods[-1]
        ended_later = {
            **h,
            "periods": [*periods[:-1], (s, h["as_of"] + dt.timedelta(days=later), mg, "pregnancy")],
        }
        after_end = advise(
            cohort_of(b, ended_later), "P1", as_of=h["as_of"], protocol=h["protocol"]
        )
        assert after_end.to_dict() == before
    after = advise(cohort_of(b, h, extra), "P1", as_of=h["as_of"], protocol=h["protocol"]).to_dict()
    assert after == before
