"""Accounts in the registry (clears.registry.accounts): rules, scope, audit, passwords.

Every test runs on SQLite and PostgreSQL inside a rolled-back transaction. Passwords are
synthetic; the policy (12 to 1000 characters) is NIST SP 800-63B 5.1.1.2 with clears' 12.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.registry import audit
from clears.registry._accounts_passwords import hash_password, verify_password
from clears.registry._accounts_rules import Role
from clears.registry._actor import Actor
from clears.registry._models import ROLES, AuditEntry, user_sessions_table, users_table
from clears.registry.accounts import (
    ImportedAccount,
    add_account,
    authenticate,
    change_own_password,
    count_accounts,
    get_account,
    import_accounts,
    list_accounts,
    reset_password,
    set_centres,
    set_disabled,
    set_password,
    set_role,
)

PASSWORD = "correct horse battery staple"
BCN_ADMIN = Actor("adm_bcn", frozenset({"BCN"}))


@pytest.fixture
def centres(session: Session) -> Session:
    two_centres(session)
    return session


def _add(session: Session, name: str, centres: list[str], **changes: object) -> None:
    values: dict[str, object] = {
        "actor": ADMIN,
        "username": name,
        "role": "investigator",
        "centres": centres,
        "password": PASSWORD,
    }
    values.update(changes)
    add_account(session, **values)  # type: ignore[arg-type]


def _entries(session: Session) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.entity == "users").order_by(AuditEntry.id)
    return list(session.scalars(query))


def _hash(session: Session, name: str) -> str:
    query = sa.select(users_table.c.password_hash).where(users_table.c.username == name)
    return str(session.execute(query).scalar_one())


def test_roles_of_the_table_are_the_roles_of_the_code() -> None:
    assert tuple(Role) == ROLES


@pytest.mark.slow
def test_add_keeps_a_hash_and_audits_everything_but_it(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    account = get_account(centres, actor=ADMIN, username="dr_bcn")
    assert (account.role, account.centres, account.disabled) == (
        Role.investigator,
        frozenset({"BCN"}),
        False,
    )
    digest = _hash(centres, "dr_bcn")
    assert digest.startswith("$argon2id$")
    assert verify_password(PASSWORD, digest)
    (entry,) = _entries(centres)
    after = json.loads(entry.after or "{}")
    assert (entry.action, entry.actor, entry.before) == ("insert", "admin", None)
    assert after["username"] == "dr_bcn"
    assert after["centres"] == ["BCN"]
    assert "password_hash" not in after
    for text in (entry.after, entry.reason or ""):
        assert "$argon2" not in text
        assert PASSWORD not in text
    assert audit.verify(centres).ok


def test_add_reports_every_problem_and_writes_nothing(centres: Session) -> None:
    with pytest.raises(InputError) as caught:
        _add(centres, " bad name", ["MAD"], role="nurse", password="short")
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["centre", "password", "role", "username"]
    assert "MAD" in str(caught.value)
    assert "BCN, LYO" in str(caught.value)
    assert "short" not in str(caught.value)  # the password is never shown
    assert count_accounts(centres) == 0
    assert _entries(centres) == []


@pytest.mark.slow
def test_a_taken_name_is_refused(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    with pytest.raises(InputError, match="already exists"):
        _add(centres, "dr_bcn", ["LYO"])
    assert count_accounts(centres) == 1


@pytest.mark.slow  # over a second in --durations
def test_all_centres_and_scope_of_a_centre_administrator(centres: Session) -> None:
    _add(centres, "net", ["*"], role="administrator")
    _add(centres, "dr_lyo", ["LYO"])
    _add(centres, "dr_bcn", ["BCN"], actor=BCN_ADMIN)
    assert get_account(centres, actor=ADMIN, username="net").actor().all_centres
    with pytest.raises(InputError, match="not one of your centres"):
        _add(centres, "dr_x", ["LYO"], actor=BCN_ADMIN)
    with pytest.raises(InputError, match="network-wide"):
        _add(centres, "dr_y", ["*"], actor=BCN_ADMIN)
    assert [a.username for a in list_accounts(centres, actor=BCN_ADMIN)] == ["dr_bcn"]
    assert [a.username for a in list_accounts(centres, actor=ADMIN)] == ["dr_bcn", "dr_lyo", "net"]
    for name in ("dr_lyo", "net", "nobody"):  # the same answer for other centres and none
        with pytest.raises(NotFoundError, match="does not exist"):
            set_role(centres, actor=BCN_ADMIN, username=name, role="monitor")


@pytest.mark.slow  # over a second in --durations
def test_disable_ends_sessions_refuses_sign_in_and_enable_restores(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    user_key = centres.execute(sa.select(users_table.c.id)).scalar_one()
    now = sa.func.now()
    centres.execute(
        sa.insert(user_sessions_table).values(
            token_hash="a" * 64, user_key=user_key, created_at=now, last_seen_at=now, expires_at=now
        )
    )
    assert authenticate(centres, username="dr_bcn", password=PASSWORD) is not None
    assert set_disabled(centres, actor=ADMIN, username="dr_bcn", disabled=True).disabled
    assert (
        centres.execute(sa.select(sa.func.count()).select_from(user_sessions_table)).scalar() == 0
    )
    assert authenticate(centres, username="dr_bcn", password=PASSWORD) is None
    set_disabled(centres, actor=ADMIN, username="dr_bcn", disabled=False)
    assert authenticate(centres, username="dr_bcn", password=PASSWORD) is not None
    reasons = [e.reason for e in _entries(centres)]
    assert reasons == [None, "disabled", "enabled"]


@pytest.mark.slow
def test_nobody_disables_themselves(centres: Session) -> None:
    _add(centres, "adm_bcn", ["BCN"], role="administrator")
    with pytest.raises(ConflictError, match="your own account"):
        set_disabled(centres, actor=BCN_ADMIN, username="adm_bcn", disabled=True)


@pytest.mark.slow
def test_role_and_centres_changes_are_audited_before_and_after(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    set_role(centres, actor=ADMIN, username="dr_bcn", role="monitor")
    account = set_centres(centres, actor=ADMIN, username="dr_bcn", centres=["BCN", "LYO"])
    assert (account.role, account.centres) == (Role.monitor, frozenset({"BCN", "LYO"}))
    _, role, moved = _entries(centres)
    assert json.loads(role.before or "")["role"] == "investigator"
    assert json.loads(role.after or "")["role"] == "monitor"
    assert json.loads(moved.after or "")["centres"] == ["BCN", "LYO"]
    with pytest.raises(InputError, match="is not a role"):
        set_role(centres, actor=ADMIN, username="dr_bcn", role="nurse")
    with pytest.raises(InputError, match="is not a centre of the registry"):
        set_centres(centres, actor=ADMIN, username="dr_bcn", centres=["MAD"])
    assert audit.verify(centres).ok


@pytest.mark.slow  # over a second in --durations
def test_reset_gives_a_temporary_password_that_must_be_changed(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    temporary = reset_password(centres, actor=ADMIN, username="dr_bcn")
    assert len(temporary) >= 12
    assert temporary != PASSWORD
    signed_in = authenticate(centres, username="dr_bcn", password=temporary)
    assert signed_in is not None
    assert signed_in.must_change_password
    assert authenticate(centres, username="dr_bcn", password=PASSWORD) is None
    entry = _entries(centres)[-1]
    assert temporary not in (entry.after or "")
    assert "$argon2" not in (entry.after or "")
    assert json.loads(entry.after or "")["must_change_password"] is True
    with pytest.raises(InputError, match="is your current password"):
        change_own_password(centres, username="dr_bcn", current=temporary, new=temporary)
    with pytest.raises(InputError, match="not your current password"):
        change_own_password(centres, username="dr_bcn", current=PASSWORD, new="a new long password")
    changed = change_own_password(
        centres, username="dr_bcn", current=temporary, new="a new long password"
    )
    assert not changed.must_change_password
    assert authenticate(centres, username="dr_bcn", password="a new long password") is not None
    assert _entries(centres)[-1].actor == "dr_bcn"


@pytest.mark.slow  # over a second in --durations
def test_set_password_checks_the_policy(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    with pytest.raises(InputError, match="has 11 characters"):
        set_password(centres, actor=ADMIN, username="dr_bcn", password="x" * 11)
    set_password(centres, actor=ADMIN, username="dr_bcn", password="twelve chars")
    assert authenticate(centres, username="dr_bcn", password="twelve chars") is not None


@pytest.mark.slow  # over a second in --durations
def test_sign_in_records_the_time_and_unknown_users_fail(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    assert get_account(centres, actor=ADMIN, username="dr_bcn").last_sign_in_at is None
    assert authenticate(centres, username="nobody", password=PASSWORD) is None
    assert authenticate(centres, username="dr_bcn", password="wrong password!") is None
    account = authenticate(centres, username="dr_bcn", password=PASSWORD)
    assert account is not None
    assert account.last_sign_in_at is not None
    assert len(_entries(centres)) == 1  # sign-ins are not account changes


@pytest.mark.slow  # over a second in --durations
def test_import_is_all_or_nothing_with_a_problem_per_user(centres: Session) -> None:
    digest = hash_password(PASSWORD)
    _add(centres, "taken", ["BCN"])
    accounts = [
        ImportedAccount("ana", "monitor", frozenset({"BCN"}), digest, 1),
        ImportedAccount("taken", "investigator", frozenset({"LYO"}), digest, 2),
        ImportedAccount("ana", "monitor", frozenset({"LYO"}), "plain", 3),
    ]
    with pytest.raises(InputError) as caught:
        import_accounts(centres, actor=ADMIN, accounts=accounts, source="users.json")
    problems = [(p.row, p.field, p.message) for p in caught.value.problems]
    assert (2, "username", "already exists") in problems
    assert (3, "username", "appears twice in the file") in problems
    assert (3, "password_hash", "is not an Argon2 hash") in problems
    assert all(p.file == "users.json" for p in caught.value.problems)
    assert count_accounts(centres) == 1
    imported = import_accounts(centres, actor=ADMIN, accounts=accounts[:1], source="users.json")
    assert [a.username for a in imported] == ["ana"]
    assert _hash(centres, "ana") == digest  # the hash moves in unchanged
    assert authenticate(centres, username="ana", password=PASSWORD) is not None
    entry = _entries(centres)[-1]
    assert (entry.action, entry.reason) == ("import", "users.json")


def _problems(session: Session) -> list[str]:
    return list(audit.verify(session).problems)


@pytest.mark.slow
def test_verify_finds_account_rows_changed_outside_clears(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    _add(centres, "dr_lyo", ["LYO"])
    set_role(centres, actor=ADMIN, username="dr_lyo", role="monitor")
    assert _problems(centres) == []
    by_name = users_table.c.username
    centres.execute(sa.update(users_table).where(by_name == "dr_bcn").values(role="administrator"))
    centres.execute(sa.update(users_table).where(by_name == "dr_lyo").values(all_centres=True))
    problems = _problems(centres)
    assert len(problems) == 2
    assert problems[0].endswith(
        "(dr_bcn): role is 'administrator' but the audit trail says 'investigator' "
        "(changed outside clears)"
    )
    assert problems[1].endswith(
        "(dr_lyo): centres is ['*'] but the audit trail says ['LYO'] (changed outside clears)"
    )


@pytest.mark.slow
def test_verify_finds_accounts_added_or_deleted_outside_clears(centres: Session) -> None:
    _add(centres, "dr_bcn", ["BCN"])
    now = sa.func.now()
    centres.execute(
        sa.insert(users_table).values(
            username="intruder",
            role="administrator",
            centres="[]",
            all_centres=True,
            password_hash=hash_password(PASSWORD),
            created_at=now,
            password_changed_at=now,
        )
    )
    centres.execute(sa.delete(users_table).where(users_table.c.username == "dr_bcn"))
    problems = _problems(centres)
    assert len(problems) == 2
    assert any(
        "(intruder): stored row has no audit entry (added outside clears)" in p for p in problems
    )
    assert any("(dr_bcn): the row is gone" in p for p in problems)
