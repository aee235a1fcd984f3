"""Patient survey links: single use, expiry, revocation by reissue, one visit only, locked
visits refused, answers checked against the definitions, every step audited (SQLite and
PostgreSQL through the ``session`` fixture).

The expected levels come from the instruments as published: PtGA and each NRS are whole
numbers 0-10 (Guo 2021, an 11-point NRS); the DLQI wording is copyright (Finlay & Khan
1992), so without a licensed file it is not offered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, LYO, TODAY, two_centres

from clears._exceptions import InputError, NotFoundError
from clears.registry import AuditEntry, RecordLockedError, RefusedError
from clears.registry.records import add_record, get_record, lock_visit
from clears.registry.surveys import (
    SurveyUnavailableError,
    issue_survey,
    list_surveys,
    offered_instruments,
    open_survey,
    revoke_survey,
    submit_survey,
    survey_hours,
)

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


def _visit(session: Session, patient: str = "P1", day: str = "2024-06-01") -> int:
    actor = BCN if patient == "P1" else LYO
    values = {"visit_date": day}
    return add_record(
        session, actor=actor, table="visits", patient_id=patient, values=values, today=TODAY
    ).id


@pytest.fixture
def visit(session: Session) -> int:
    two_centres(session)
    return _visit(session)


def _issue(session: Session, visit_id: int, **kwargs: object) -> str:
    issued = issue_survey(
        session,
        actor=BCN,
        role="data_entry",
        visit_id=visit_id,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )
    return issued.token


def test_a_submitted_survey_lands_in_its_visit_with_an_audit_entry(
    session: Session, visit: int
) -> None:
    token = _issue(session, visit)
    opened = open_survey(session, token=token, now=NOW)
    assert [d.name for d in opened.instruments] == ["ptga", "nrs"]  # no DLQI wording here
    assert opened.visit_date == dt.date(2024, 6, 1)
    link = submit_survey(
        session, token=token, answers={"ptga": "6", "itch_nrs": "3", "pain_nrs": ""}, now=NOW
    )
    assert link.used_at is not None
    stored = get_record(session, actor=BCN, table="visits", record_id=visit).data
    assert stored["ptga"] == 6
    assert stored["itch_nrs"] == 3
    assert "pain_nrs" not in stored
    entry = (
        session.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "visits", AuditEntry.entity_id == visit)
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry is not None
    assert entry.actor == f"survey link {link.id}"


def test_only_the_hash_of_the_token_is_stored(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    stored = session.execute(sa.text("SELECT token_hash FROM survey_links")).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_link_used_twice_is_refused(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    submit_survey(session, token=token, answers={"ptga": "2"}, now=NOW)
    with pytest.raises(SurveyUnavailableError):
        submit_survey(session, token=token, answers={"ptga": "9"}, now=NOW)
    with pytest.raises(SurveyUnavailableError):
        open_survey(session, token=token, now=NOW)
    assert get_record(session, actor=BCN, table="visits", record_id=visit).data["ptga"] == 2


def test_an_expired_link_is_refused(session: Session, visit: int) -> None:
    token = _issue(session, visit, hours=2.0)
    open_survey(session, token=token, now=NOW + dt.timedelta(hours=2))  # the last instant
    later = NOW + dt.timedelta(hours=2, seconds=1)
    with pytest.raises(SurveyUnavailableError):
        open_survey(session, token=token, now=later)
    with pytest.raises(SurveyUnavailableError):
        submit_survey(session, token=token, answers={"ptga": "1"}, now=later)


def test_a_new_link_revokes_the_earlier_one(session: Session, visit: int) -> None:
    first = _issue(session, visit)
    second = _issue(session, visit)
    with pytest.raises(SurveyUnavailableError):
        open_survey(session, token=first, now=NOW)
    open_survey(session, token=second, now=NOW)
    states = [link.state(NOW) for link in list_surveys(session, actor=BCN, visit_id=visit)]
    assert states == ["open", "revoked"]


def test_revoke_and_an_unknown_token_give_the_same_refusal(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    link = list_surveys(session, actor=BCN, visit_id=visit)[0]
    revoke_survey(session, actor=BCN, role="investigator", link_id=link.id, now=NOW)
    refusals = []
    for tried in (token, "not-a-token"):
        with pytest.raises(SurveyUnavailableError) as caught:
            open_survey(session, token=tried, now=NOW)
        refusals.append(str(caught.value))
    assert refusals[0] == refusals[1]


def test_a_link_writes_only_its_own_visit(session: Session, visit: int) -> None:
    other = _visit(session, "P2")
    token = _issue(session, visit)
    # Another patient's columns are not questions of this link; naming them is refused.
    with pytest.raises(InputError):
        submit_survey(session, token=token, answers={"ptga": "1", "clasi_a": "3"}, now=NOW)
    submit_survey(session, token=token, answers={"ptga": "1"}, now=NOW)
    assert "ptga" not in get_record(session, actor=LYO, table="visits", record_id=other).data


def test_only_the_survey_columns_are_written(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    with pytest.raises(InputError) as caught:
        submit_survey(session, token=token, answers={"visit_date": "2020-01-01"}, now=NOW)
    assert "visit_date" in str(caught.value)


def test_a_locked_visit_is_refused_and_the_link_stays_usable(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    version = get_record(session, actor=BCN, table="visits", record_id=visit).version
    lock_visit(session, actor=BCN, record_id=visit, version=version, today=TODAY)
    with pytest.raises(RecordLockedError), session.begin_nested():
        submit_survey(session, token=token, answers={"ptga": "4"}, now=NOW)
    assert open_survey(session, token=token, now=NOW).visit_date == dt.date(2024, 6, 1)
    with pytest.raises(RecordLockedError):
        _issue(session, visit)


def test_an_answer_outside_the_levels_names_the_question(session: Session, visit: int) -> None:
    token = _issue(session, visit)
    with pytest.raises(InputError) as caught, session.begin_nested():
        submit_survey(session, token=token, answers={"itch_nrs": "11", "ptga": "x"}, now=NOW)
    text = str(caught.value)
    assert "Itch NRS" in text
    assert "Patient global" in text
    submit_survey(session, token=token, answers={"itch_nrs": "10"}, now=NOW)  # still usable


def test_a_past_visit_keeps_its_earlier_value_in_the_trail(session: Session) -> None:
    two_centres(session)
    visit = add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-05-01", "ptga": 8},
        today=TODAY,
    ).id
    token = _issue(session, visit)
    submit_survey(session, token=token, answers={"ptga": "3"}, now=NOW)
    entry = (
        session.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "visits", AuditEntry.entity_id == visit)
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry is not None
    assert entry.action == "update"
    assert entry.reason is not None
    assert "patient survey" in entry.reason


def test_issue_is_for_writers_of_the_visit_centre(session: Session, visit: int) -> None:
    with pytest.raises(RefusedError):
        issue_survey(session, actor=BCN, role="monitor", visit_id=visit, now=NOW)
    with pytest.raises(NotFoundError):
        issue_survey(session, actor=LYO, role="investigator", visit_id=visit, now=NOW)
    with pytest.raises(InputError):
        issue_survey(session, actor=BCN, role="investigator", visit_id=visit, language="de")
    assert list_surveys(session, actor=LYO, visit_id=visit) == []


def test_every_step_of_a_link_is_audited(session: Session, visit: int) -> None:
    first = _issue(session, visit)
    second = _issue(session, visit)
    submit_survey(session, token=second, answers={"ptga": "0"}, now=NOW)
    del first
    actions = session.execute(
        sa.select(AuditEntry.action, AuditEntry.reason)
        .where(AuditEntry.entity == "survey_links")
        .order_by(AuditEntry.id)
    ).all()
    assert [a for a, _ in actions] == ["insert", "update", "insert", "update"]
    assert actions[1][1] == "a new link was issued"


def test_dlqi_is_offered_only_with_the_licensed_wording(tmp_path: Path) -> None:
    wording = tmp_path / "wording.toml"
    items = "\n".join(f'q{n} = "licensed item {n}"' for n in range(1, 11))
    wording.write_text(f"[dlqi]\n{items}\n[dlqi_fr]\n{items}\n", encoding="utf-8")
    assert "dlqi" in [d.name for d in offered_instruments("en", wording)]
    assert "dlqi" in [d.name for d in offered_instruments("fr", wording)]
    assert "dlqi" not in [d.name for d in offered_instruments("es", wording)]
    assert "cla_iga" not in [d.name for d in offered_instruments("en", wording)]


def test_survey_hours_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARS_SURVEY_HOURS", raising=False)
    assert survey_hours() == 72.0
    monkeypatch.setenv("CLEARS_SURVEY_HOURS", "12")
    assert survey_hours() == 12.0
    with pytest.raises(InputError):
        survey_hours("0")


def test_odd_answers_are_refused_by_name_not_crashed_on() -> None:
    from clears.instruments.ptga import DEFINITION
    from clears.registry.surveys import check_answers

    for odd in ("9" * 5000, "²", "-1", "7.5", "ten"):
        with pytest.raises(InputError) as caught:
            check_answers([DEFINITION], {"ptga": odd})
        assert "Patient global" in str(caught.value)
