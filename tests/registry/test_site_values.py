"""Site values are saved with their record, read back, scoped, merged and audited, on both
backends; a field no longer declared keeps its values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.cohort import SiteFields, parse_site_fields
from clears.registry import Role, audit
from clears.registry.accounts import add_account
from clears.registry.patients import rename_patient, timeline, update_patient
from clears.registry.records import add_record, delete_record, get_record, update_record
from clears.registry.signatures import sign, unlock

DECLARED = parse_site_fields(
    {
        "visits": [
            {"name": "ifn_score", "label": "IFN score", "type": "number", "min": 0, "max": 100},
            {
                "name": "variant",
                "label": "SLEDAI variant",
                "type": "choice",
                "choices": [
                    {"code": "sledai_2k", "label": "SLEDAI-2K"},
                    {"code": "selena", "label": "SELENA-SLEDAI"},
                ],
            },
            {"name": "biopsies", "label": "Biopsies", "type": "integer", "centres": ["LYO"]},
        ],
        "patients": [{"name": "anti_ro", "label": "Anti-Ro", "type": "yes_no"}],
        "flares": [{"name": "trigger", "label": "Trigger", "type": "text", "required": True}],
    },
    file="site.toml",
)
PASSWORD = "correct horse battery staple"
VISIT = {"visit_date": TODAY.isoformat()}  # today: an edit needs no reason


def _visit(session: Session, **site: Any) -> Any:
    return add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values=VISIT,
        today=TODAY,
        site_fields=DECLARED,
        site_values=site,
    )


def _last_entry(session: Session) -> Any:
    return audit.history(session, actor=BCN, patient_id="P1")[-1]


def test_saved_values_read_back_as_stored_text_and_are_audited(session: Session) -> None:
    two_centres(session)
    added = _visit(session, ifn_score="12.5", variant="SELENA")
    assert added.site == {"ifn_score": "12.5", "variant": "selena"}
    session.expunge_all()
    read = get_record(session, actor=BCN, table="visits", record_id=added.id)
    assert read.site == {"ifn_score": "12.5", "variant": "selena"}
    entry = _last_entry(session)
    assert entry.action == "insert"
    assert json.loads(entry.after)["site_fields"] == {"ifn_score": "12.5", "variant": "selena"}
    assert timeline(session, actor=BCN, patient_id="P1")["visits"][0].site == read.site


def test_an_out_of_range_value_is_refused_with_the_record_problems_and_nothing_saved(
    session: Session,
) -> None:
    two_centres(session)
    with pytest.raises(InputError) as caught:
        add_record(
            session,
            actor=BCN,
            table="visits",
            patient_id="P1",
            values={"visit_date": "2024-13-01"},
            today=TODAY,
            site_fields=DECLARED,
            site_values={"ifn_score": "101"},
        )
    found = {p.field: p for p in caught.value.problems}
    assert set(found) == {"visit_date", "site_fields.ifn_score"}
    assert found["site_fields.ifn_score"].allowed == "a number from 0 to 100"
    assert found["site_fields.ifn_score"].patient == "P1"
    assert timeline(session, actor=BCN, patient_id="P1")["visits"] == []


def test_a_field_of_another_centre_is_refused_and_its_own_centre_takes_it(
    session: Session,
) -> None:
    two_centres(session)
    with pytest.raises(InputError, match="not a site field of this table and centre"):
        _visit(session, biopsies="2")
    added = add_record(
        session,
        actor=LYO,
        table="visits",
        patient_id="P2",
        values=VISIT,
        today=TODAY,
        site_fields=DECLARED,
        site_values={"biopsies": "2"},
    )
    assert added.site == {"biopsies": "2"}
    with pytest.raises(NotFoundError):
        get_record(session, actor=BCN, table="visits", record_id=added.id)


def test_a_required_field_must_be_given_when_a_record_is_added(session: Session) -> None:
    two_centres(session)
    with pytest.raises(InputError, match="trigger: is required"):
        add_record(
            session,
            actor=BCN,
            table="flares",
            patient_id="P1",
            values={"flare_date": "2024-05-01", "severity": "mild"},
            today=TODAY,
            site_fields=DECLARED,
        )


def test_an_edit_of_site_values_alone_is_a_new_audited_version(session: Session) -> None:
    two_centres(session)
    added = _visit(session, ifn_score="12.5")
    changed = update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=added.id,
        version=1,
        changes={},
        today=TODAY,
        site_fields=DECLARED,
        site_values={"ifn_score": "", "variant": "sledai_2k"},
    )
    assert changed.version == 2
    assert changed.site == {"variant": "sledai_2k"}
    entry = _last_entry(session)
    assert entry.action == "update"
    assert json.loads(entry.before)["site_fields"] == {"ifn_score": "12.5"}
    assert json.loads(entry.after)["site_fields"] == {"variant": "sledai_2k"}
    # The same values again change nothing: no version, no entry.
    again = update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=added.id,
        version=2,
        changes={},
        today=TODAY,
        site_fields=DECLARED,
        site_values={"variant": "SLEDAI-2K"},
    )
    assert again.version == 2
    assert _last_entry(session).id == entry.id


def test_a_stale_edit_merges_other_fields_and_refuses_a_collision(session: Session) -> None:
    two_centres(session)
    added = _visit(session, ifn_score="10")

    def edit(version: int, **site: str) -> Any:
        return update_record(
            session,
            actor=BCN,
            table="visits",
            record_id=added.id,
            version=version,
            changes={},
            today=TODAY,
            site_fields=DECLARED,
            site_values=site,
        )

    edit(1, ifn_score="20")
    merged = edit(1, variant="selena")  # made on version 1: another field, merged
    assert merged.site == {"ifn_score": "20", "variant": "selena"}
    with pytest.raises(ConflictError) as caught:
        edit(1, ifn_score="30")  # the same field changed differently since version 1
    assert [c.field for c in caught.value.conflicts] == ["site_fields.ifn_score"]


def test_a_field_no_longer_declared_keeps_its_value(session: Session) -> None:
    two_centres(session)
    added = _visit(session, ifn_score="12.5")
    later = SiteFields(tuple(f for f in DECLARED.fields if f.name != "ifn_score"))
    changed = update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=added.id,
        version=1,
        changes={"anc": 2.0},
        today=TODAY,
        site_fields=later,
        site_values={"variant": "selena"},
    )
    assert changed.site == {"ifn_score": "12.5", "variant": "selena"}
    with pytest.raises(InputError, match="no longer declared"):
        update_record(
            session,
            actor=BCN,
            table="visits",
            record_id=added.id,
            version=2,
            changes={},
            today=TODAY,
            site_fields=later,
            site_values={"ifn_score": "1"},
        )


def test_patients_take_site_values_and_a_deleted_record_takes_its_values_along(
    session: Session,
) -> None:
    two_centres(session)
    patient = update_patient(
        session,
        actor=BCN,
        patient_id="P1",
        version=1,
        changes={},
        today=TODAY,
        site_fields=DECLARED,
        site_values={"anti_ro": "yes"},
    )
    assert patient.site == {"anti_ro": "true"}
    added = _visit(session, ifn_score="12.5")
    delete_record(session, actor=BCN, table="visits", record_id=added.id, version=1, today=TODAY)
    entry = _last_entry(session)
    assert entry.action == "delete"
    assert json.loads(entry.before)["site_fields"] == {"ifn_score": "12.5"}
    again = _visit(session)
    assert again.site == {}


def test_a_rename_carries_the_site_values_to_the_new_records(session: Session) -> None:
    two_centres(session)
    update_patient(
        session,
        actor=BCN,
        patient_id="P1",
        version=1,
        changes={},
        today=TODAY,
        site_fields=DECLARED,
        site_values={"anti_ro": "no"},
    )
    _visit(session, ifn_score="12.5")
    rename_patient(session, actor=ADMIN, old="P1", new="P9", reason="pseudonym scheme")
    after = timeline(session, actor=BCN, patient_id="P9")
    assert after["patients"][0].site == {"anti_ro": "false"}
    assert [v.site for v in after["visits"]] == [{"ifn_score": "12.5"}]
    inserted = [
        json.loads(e.after)
        for e in audit.history(session, actor=BCN, patient_id="P9")
        if e.action == "insert" and e.entity == "visits"
    ]
    assert [d["site_fields"] for d in inserted] == [{"ifn_score": "12.5"}]


def test_signing_and_unlocking_a_visit_keeps_its_site_values_in_the_trail(
    session: Session,
) -> None:
    two_centres(session)
    investigator = add_account(
        session,
        actor=ADMIN,
        username="inv_site",
        role=Role.investigator.value,
        centres=frozenset({"BCN"}),
        password=PASSWORD,
    )
    visit = _visit(session, ifn_score="12.5")
    sign(
        session,
        account=investigator,
        password=PASSWORD,
        table="visits",
        record_id=visit.id,
        version=visit.version,
        meaning="approval",
    )
    administrator = add_account(
        session,
        actor=ADMIN,
        username="admin_site",
        role=Role.administrator.value,
        centres=frozenset({"BCN"}),
        password=PASSWORD,
    )
    unlock(session, account=administrator, table="visits", record_id=visit.id, reason="typo")
    locks = [
        e
        for e in audit.history(session, actor=BCN, patient_id="P1")
        if e.entity == "visits" and e.action == "update"
    ]
    assert [json.loads(e.after)["site_fields"] for e in locks] == [{"ifn_score": "12.5"}] * 2
    # An edit made on the version before the signature still merges (the trail is whole).
    current = get_record(session, actor=BCN, table="visits", record_id=visit.id)
    merged = update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit.id,
        version=1,
        changes={},
        today=TODAY,
        site_fields=DECLARED,
        site_values={"variant": "selena"},
    )
    assert merged.version == current.version + 1
    assert merged.site == {"ifn_score": "12.5", "variant": "selena"}
