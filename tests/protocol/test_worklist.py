"""The safety worklist: who is listed, in which order, and that it says what advise() says.

Synthetic patients only. The alert levels and their order are those of
``clears.protocol._alert.ALERT_LEVELS`` (stop, hold, action, review, info); ``info`` alerts
(off-label use, standing advice) never put a patient on the list.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from clears._exceptions import InputError
from clears.protocol import Alert, MonitoringItem, Worklist, WorklistRow, advise, worklist
from clears.protocol._alert import ALERT_LEVELS
from clears.protocol._worklist import (
    WORKLIST_COLUMNS,
    WORKLIST_LEVELS,
    alert_date,
    make_row,
    sort_rows,
    split_by_patient,
)

DAY = dt.date(2024, 1, 9)
NORMAL = {"anc": 3.0, "platelets": 200.0, "wbc": 6.0, "hb": 13.0}


def _alert(level: str, **data: Any) -> Alert:
    return Alert(f"test.{level}", level, f"a {level} alert", "test reference", data)


def _item(status: str, due: dt.date | None) -> MonitoringItem:
    return MonitoringItem("monitoring.test", "a test", "weekly", None, due, status, "ref")


def _row(
    pid: str, alerts: list[Alert], items: tuple[MonitoringItem, ...] = ()
) -> WorklistRow | None:
    return make_row(
        patient_id=pid,
        centre="C1",
        as_of=DAY,
        alerts=alerts,
        monitoring=items,
        dose=("continue", "5 mg daily", 5.0),
    )


def _cohort(b: SimpleNamespace) -> Any:
    """Four patients: a performed positive pregnancy test, a grade 3 ANC, and two without."""

    def p(pid: str, **extra: Any) -> dict[str, Any]:
        return b.patient(patient_id=pid, smoking="never", **extra)

    def t(pid: str) -> dict[str, Any]:
        return {**b.period("2024-01-01", 5.0), "patient_id": pid}

    def v(pid: str, day: str, **extra: Any) -> dict[str, Any]:
        return {**b.visit(day, clasi_a=10, **{**NORMAL, **extra}), "patient_id": pid}

    return b.cohort(
        patients=[
            p("PREG", sex="F", birth_year=1990, reproductive_potential=True),
            p("ANC", sex="M", centre="C2"),
            p("CALM", sex="M"),
            p("NEW", sex="M"),
        ],
        treatments=[t("PREG"), t("ANC"), t("CALM")],
        visits=[
            v("PREG", "2024-01-01", pregnancy_test="negative"),
            # lenalidomide label, boxed warning: a positive test stops treatment at once
            v("PREG", "2024-01-08", pregnancy_test="positive"),
            v("ANC", "2024-01-01"),
            # CTCAE v5.0 neutrophil count decreased: grade 3 is <1.0–0.5 ×10⁹/L
            v("ANC", "2024-01-08", anc=0.8),
            v("CALM", "2024-01-01"),
            v("CALM", "2024-01-08"),
        ],
    )


def test_info_alerts_alone_never_list_a_patient() -> None:
    assert _row("P", [_alert("info"), _alert("info")]) is None
    assert _row("P", [_alert("info")], (_item("scheduled", DAY), _item("due", DAY))) is None


@pytest.mark.parametrize("level", [x for x in ALERT_LEVELS if x != "info"])
def test_every_level_above_info_lists_the_patient(level: str) -> None:
    row = _row("P", [_alert("info"), _alert(level)])
    assert row is not None
    assert row.level == level
    assert [a.level for a in row.alerts] == [level]  # the info alert is left out


def test_overdue_monitoring_alone_lists_the_patient_last() -> None:
    # Cortés-Hernández 2012: counts weekly in the first 8 weeks; a count due on 2 Jan and
    # not done by 9 Jan is 7 days overdue.
    row = _row("P", [], (_item("overdue", dt.date(2024, 1, 2)), _item("scheduled", DAY)))
    assert row is not None
    assert (row.level, row.since, row.days_waiting) == ("overdue", dt.date(2024, 1, 2), 7)
    assert len(row.overdue) == 1
    assert WORKLIST_LEVELS[-1] == "overdue"
    assert WORKLIST_LEVELS[:-1] == tuple(x for x in ALERT_LEVELS if x != "info")


def test_most_urgent_level_then_longest_wait_then_patient_id() -> None:
    rows = [
        _row("R-late", [_alert("review", on=dt.date(2024, 1, 8))]),
        _row("S-b", [_alert("stop")]),
        _row("O", [], (_item("overdue", dt.date(2023, 1, 1)),)),
        _row("R-early", [_alert("review", on=dt.date(2024, 1, 1))]),
        _row("S-a", [_alert("stop")]),
        _row("H", [_alert("review"), _alert("hold")]),
    ]
    order = [r.patient_id for r in sort_rows(r for r in rows if r is not None)]
    # a year-overdue test still ranks below any alert; ties at "stop" fall back to the id
    assert order == ["S-a", "S-b", "H", "R-early", "R-late", "O"]


def test_alert_dates_after_as_of_are_not_a_wait() -> None:
    row = _row("P", [_alert("review", on=DAY + dt.timedelta(days=3))])
    assert row is not None
    assert (row.since, row.days_waiting) == (None, 0)


def test_the_alert_date_is_the_newest_date_it_names() -> None:
    overdue_test = _alert("action", last_done=dt.date(2024, 1, 1), next_due=dt.date(2024, 1, 8))
    flares = _alert("review", flare_dates=["2023-12-01", "2024-01-05"], sledai=12.0)
    assert alert_date(overdue_test, DAY) == dt.date(2024, 1, 8)  # due, not last done
    assert alert_date(flares, DAY) == dt.date(2024, 1, 5)  # ISO texts in a list count
    assert alert_date(_alert("stop", note="2024-01-0x", n=3), DAY) is None
    row = _row("P", [overdue_test, flares])
    assert row is not None
    assert (row.since, row.days_waiting) == (dt.date(2024, 1, 5), 4)


def test_cohort_worklist_lists_the_stops_first(b: SimpleNamespace) -> None:
    found = worklist(_cohort(b), as_of=DAY)
    assert isinstance(found, Worklist)
    assert found.n_screened == 4
    by_id = {r.patient_id: r for r in found}
    # lenalidomide label, boxed warning (embryo-fetal toxicity): stop at once
    assert by_id["PREG"].level == "stop"
    assert by_id["PREG"].dose_action == "stop"
    # Cortés-Hernández 2012: grade 3 myelosuppression ends lenalidomide (not CONTINUE)
    assert by_id["ANC"].level in {"stop", "hold"}
    assert by_id["ANC"].dose_action != "continue"
    assert by_id["ANC"].centre == "C2"
    ranks = [WORKLIST_LEVELS.index(r.level) for r in found]
    assert ranks == sorted(ranks)
    assert all(a.level != "info" for r in found for a in r.alerts)


@pytest.mark.slow
def test_rows_say_what_advise_says(b: SimpleNamespace) -> None:
    cohort = _cohort(b)
    found = {r.patient_id: r for r in worklist(cohort, as_of=DAY)}
    for pid in cohort.patients["patient_id"]:
        advice = advise(cohort, pid, as_of=DAY)
        alerts = [a for a in advice.alerts if a.level != "info"]
        overdue = [m for m in advice.monitoring if m.status == "overdue"]
        row = found.get(pid)
        if not alerts and not overdue:
            assert row is None, pid
            continue
        assert row is not None, pid
        assert sorted(row.alerts, key=lambda a: a.rule) == sorted(alerts, key=lambda a: a.rule)
        assert list(row.overdue) == overdue
        assert (row.dose_action, row.dose_regimen) == (advice.dose.action, advice.dose.regimen)


def test_centres_restrict_and_unknown_centre_is_refused(b: SimpleNamespace) -> None:
    cohort = _cohort(b)
    only = worklist(cohort, as_of=DAY, centres=["C2"])
    assert [r.patient_id for r in only] == ["ANC"]
    assert only.n_screened == 1
    with pytest.raises(InputError) as refused:
        worklist(cohort, as_of=DAY, centres=["C2", "XX"])
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("centre", "XX")
    assert problem.allowed == "C1, C2"


def test_frame_and_dict_and_text(b: SimpleNamespace) -> None:
    found = worklist(_cohort(b), as_of=DAY)
    frame = found.to_frame()
    assert tuple(frame.columns) == WORKLIST_COLUMNS
    assert list(frame["patient_id"]) == [r.patient_id for r in found]
    payload = found.to_dict()
    assert payload["as_of"] == "2024-01-09"
    assert payload["n_screened"] == 4
    assert payload["n_listed"] == len(found)
    first = payload["patients"][0]
    assert {"patient_id", "centre", "level", "alerts", "overdue", "dose"} <= set(first)
    assert all({"rule", "level", "message"} <= set(a) for a in first["alerts"])
    text = found.to_text()
    assert "[STOP] " in text
    assert f"{len(found)} of 4 patients" in text
    empty = Worklist(as_of=DAY, protocol="x 1", rows=(), n_screened=0)
    assert empty.to_frame().empty
    assert list(empty.to_frame().columns) == list(WORKLIST_COLUMNS)


def test_the_cohort_is_not_modified(b: SimpleNamespace) -> None:
    cohort = _cohort(b)
    before = {
        name: frame.copy()
        for name, frame in vars(cohort).items()
        if isinstance(frame, pd.DataFrame)
    }
    worklist(cohort, as_of=DAY, centres=["C1"])
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(cohort, name), frame)


def test_unreadable_records_are_listed_for_review(b: SimpleNamespace) -> None:
    cohort = b.cohort(
        patients=[b.patient(patient_id="BAD", sex="M")],
        treatments=[{**b.period("2024-01-01", 5.0), "patient_id": "BAD"}],
        visits=[{"patient_id": "BAD", "visit_date": None, "clasi_a": 3}],
    )
    (row,) = worklist(cohort, as_of=DAY).rows
    assert row.level == "review"
    assert row.alerts[0].rule == "worklist.no_advice"
    assert "visit_date" in row.alerts[0].message


@pytest.mark.parametrize("block", [1, 3, 1000])
def test_split_by_patient_gives_each_patient_their_own_rows(b: SimpleNamespace, block: int) -> None:
    cohort = _cohort(b)
    seen = []
    for pid, alone in split_by_patient(cohort, block=block):
        seen.append(pid)
        for name in ("patients", "treatments", "visits"):
            frame = cohort.table(name)
            expected = frame[frame["patient_id"] == pid]
            assert list(alone.table(name)["patient_id"]) == list(expected["patient_id"])
            assert alone.table(name).shape == expected.shape
    assert seen == list(cohort.patients["patient_id"])
