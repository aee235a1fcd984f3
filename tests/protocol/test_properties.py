"""Properties of advise(): every item names its rule and reference.

The dose-set and no-look-ahead properties are in ``test_invariants.py`` (over richer histories).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.protocol import advise

pytestmark = pytest.mark.slow  # property test with many generated histories

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
def test_every_item_names_a_rule_and_a_reference(b: SimpleNamespace, h: dict[str, Any]) -> None:
    a = advise(cohort_of(b, h), "P1", as_of=h["as_of"], protocol=h["protocol"])
    d = a.to_dict()
    items = [d["dose"], *d["alerts"], *d["monitoring"], *d["eligibility"]["criteria"]]
    for item in items:
        assert item["rule"]
        assert item["reference"]
