"""The seed protocol's own stopping rules, and the never-continue invariant over histories.

Source: Cortés-Hernández 2012, Methods: "Reasons for discontinuing treatment were: common
toxicity criteria grade 3 myelosuppression, withdrawal of consent by the patient, pregnancy,
life-threatening complications, severe systemic lupus flare requiring alternative treatment or
decision by the physician that discontinuation was in the patient's best interest"; a severe
flare is "a change in SLEDAI greater than 12", a mild one "greater than 3". CTCAE v5.0 generic
grades (docs/instruments/ctcae.md, generic grades): grade 3 severe or medically significant, grade 4
life-threatening. CTCAE v5.0 grade 3 edges (docs/instruments/ctcae.md): neutrophils < 1.0, white
cells < 2.0, platelets < 50 ×10⁹/L, haemoglobin < 8.0 g/dL.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears.protocol import Advice, advise, load_protocol
from clears.protocol._patient import patient_data
from clears.protocol._safety_blood import lookback, severe_findings

START = "2024-01-01"
MAN = {"sex": "M", "birth_year": 1970}
NORMAL = {"anc": 3.0, "wbc": 6.0, "platelets": 250.0, "hb": 13.5}


def ae(day: str, term: str, grade: int) -> dict[str, Any]:
    return {"patient_id": "P1", "onset_date": day, "term": term, "grade": grade}


def run(b: SimpleNamespace, protocol: str = "cortes2012", **kw: Any) -> Advice:
    visits = [b.visit(START, clasi_a=10, sledai=2, **NORMAL), b.visit("2024-02-05", clasi_a=5)]
    visits += kw.pop("visits", [])
    return b.advise([b.period(START, 5)], visits, "2024-02-05", protocol=protocol, **MAN, **kw)


@pytest.mark.parametrize(
    ("term", "grade", "stops"),
    [
        ("Diarrhea", 3, True),  # grade 3: severe
        ("Diarrhea", 2, False),  # grade 2 is not a reason to discontinue
        ("Fatigue", 3, True),
        ("Rash maculo-papular", 3, True),
        ("Insomnia", 2, False),  # the trial's own side effect, kept on drug
        ("Severe vomiting (free text)", 3, True),  # any term: the recorded grade decides
    ],
)
@pytest.mark.parametrize("protocol", ["cortes2012", "cortes2012_label_holds", "okon_braunstein"])
def test_grade_3_toxicity_of_any_term_stops(
    b: SimpleNamespace, term: str, grade: int, stops: bool, protocol: str
) -> None:
    a = run(b, protocol, adverse_events=[ae("2024-01-20", term, grade)])
    assert (a.dose.action == "stop") is stops
    assert (a.dose.rule == "safety.toxicity_stop") is stops
    if stops:
        alert = next(x for x in a.alerts if x.rule == "safety.toxicity_stop")
        assert alert.level == "stop"
        assert term in alert.message
        assert "2024-01-20" in alert.message
        assert a.dose.review


def test_life_threatening_event_stops_and_says_so(b: SimpleNamespace) -> None:
    a = run(b, adverse_events=[ae("2024-01-25", "Sinus bradycardia", 4)])
    assert (a.dose.action, a.dose.dose_mg_per_day) == ("stop", 0.0)
    assert (
        "life-threatening" in next(x for x in a.alerts if x.rule == "safety.toxicity_stop").message
    )


@pytest.mark.parametrize(("onset", "stops"), [("2023-12-31", False), ("2024-01-01", True)])
def test_only_events_during_the_course_stop(b: SimpleNamespace, onset: str, stops: bool) -> None:
    a = run(b, adverse_events=[ae(onset, "Diarrhea", 3)])
    assert (a.dose.rule == "safety.toxicity_stop") is stops


def test_event_the_day_before_a_dose_change_still_stops(b: SimpleNamespace) -> None:
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    visits = [b.visit(START, clasi_a=10, **NORMAL), b.visit("2024-02-05", clasi_a=10)]
    a = b.advise(
        treatments, visits, "2024-02-05", adverse_events=[ae("2024-01-28", "Fatigue", 3)], **MAN
    )
    assert a.dose.rule == "safety.toxicity_stop"


def test_severe_flare_stops(b: SimpleNamespace) -> None:
    flare = {"patient_id": "P1", "flare_date": "2024-01-20", "severity": "severe"}
    a = run(b, flares=[flare], sle=True)
    assert (a.dose.action, a.dose.rule) == ("stop", "safety.sle_flare_stop")
    assert a.dose.review
    alert = next(x for x in a.alerts if x.rule == "safety.sle_flare_severe")
    assert alert.level == "stop"
    assert "alternative treatment" in alert.message


@pytest.mark.parametrize(
    ("latest", "stops", "mild"),
    [
        (15, True, False),  # 15 - 2 = 13 > 12: severe
        (14, False, True),  # 12 is not > 12: mild (> 3)
        (5, False, False),  # 3 is not > 3
    ],
)
def test_sledai_rise_severe_stops_mild_continues(
    b: SimpleNamespace, latest: int, stops: bool, mild: bool
) -> None:
    a = run(b, visits=[b.visit("2024-02-05", sledai=latest)], sle=True)
    assert (a.dose.action == "stop") is stops
    fired = {x.rule for x in a.alerts}
    assert ("safety.sle_flare_mild" in fired) is mild
    if not stops:
        assert a.dose.action == "continue"


def test_severe_flare_before_the_course_does_not_stop(b: SimpleNamespace) -> None:
    flare = {"patient_id": "P1", "flare_date": "2023-12-20", "severity": "severe"}
    assert run(b, flares=[flare], sle=True).dose.action == "continue"


# ---- invariants over generated histories ---------------------------------------------

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DAY0 = dt.date(2024, 1, 1)
EDGE = {"anc": 1.0, "wbc": 2.0, "platelets": 50.0, "hb": 8.0}  # CTCAE v5.0 grade 3 edges


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    """Contiguous dose periods, visits with all four lines, and a protocol."""
    periods, day = [], DAY0
    for i in range(draw(st.integers(1, 4))):
        length = draw(st.integers(7, 80))
        end = None if draw(st.booleans()) or i == 3 else day + dt.timedelta(days=length)
        mg = draw(st.sampled_from([15 / 7, 2.5, 5.0, 10.0]))
        reason = draw(st.sampled_from([None, "taper", "adverse_event"])) if end else None
        periods.append((day, end, mg, reason))
        if end is None:
            break
        day = end + dt.timedelta(days=1)
    visits = []
    for offset in sorted(draw(st.sets(st.integers(-5, 300), min_size=1, max_size=8))):
        row: dict[str, Any] = {"day": DAY0 + dt.timedelta(days=offset), "clasi_a": 8}
        for line, edge in EDGE.items():
            row[line] = draw(st.one_of(st.none(), st.floats(edge * 0.5, edge * 3.0)))
        visits.append(row)
    return {
        "periods": periods,
        "visits": visits,
        "as_of": DAY0 + dt.timedelta(days=draw(st.integers(0, 320))),
        "patient": MAN,
        "protocol": draw(st.sampled_from(["cortes2012", "cortes2012_label_holds"])),
    }


def cohort_of(b: SimpleNamespace, h: dict[str, Any]) -> Any:
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
    return b.cohort(patients=[b.patient(**h["patient"])], treatments=treatments, visits=visits)


@pytest.mark.slow  # over a second in --durations
@given(h=histories())
@SETTINGS
def test_never_continue_with_a_grade_3_count_in_the_window(
    b: SimpleNamespace, h: dict[str, Any]
) -> None:
    protocol = load_protocol(h["protocol"])
    cohort = cohort_of(b, h)
    a = advise(cohort, "P1", as_of=h["as_of"], protocol=protocol)
    data = patient_data(cohort, "P1", h["as_of"])
    if data.current_period is not None:
        since = lookback(data, protocol, data.as_of)
        window = [
            v
            for v in h["visits"]
            if since <= v["day"] <= h["as_of"]
            and any(v[line] is not None and v[line] < edge for line, edge in EDGE.items())
        ]
        assert bool(window) == bool(severe_findings(data, protocol.thresholds, since, h["as_of"]))
        if window:
            assert a.dose.action not in {"continue", "increase", "start", "restart", "taper"}
            assert a.dose.dose_mg_per_day == 0.0
    allowed = {0.0} | {round(r.mg_per_day, 6) for r in protocol.regimens.values()}
    if a.dose.rule.startswith(("safety.cytopenia", "safety.myelosuppression", "safety.restart")):
        assert round(a.dose.dose_mg_per_day, 6) in allowed


def test_a_stop_that_replaces_a_label_hold_is_the_papers_rule(b: SimpleNamespace) -> None:
    # label protocol: ANC 0.8 holds (label rule, extrapolated); grade 3 diarrhoea stops
    # (Cortés-Hernández 2012), which is not an extrapolation
    visits = [b.visit("2024-02-05", clasi_a=5, **{**NORMAL, "anc": 0.8})]
    a = run(
        b, "cortes2012_label_holds", visits=visits, adverse_events=[ae("2024-02-01", "Diarrhea", 3)]
    )
    assert (a.dose.action, a.dose.rule) == ("stop", "safety.toxicity_stop")
    assert not a.dose.extrapolated
    assert {"safety.cytopenia_hold", "safety.toxicity_stop"} <= {x.rule for x in a.alerts}
