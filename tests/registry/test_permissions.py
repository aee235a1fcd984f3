"""The declared role table (clears.registry.PERMISSIONS) says what the issue's roles say.

The expected rows are the separation of duties of a monitored study (ICH E6(R3) §3.11,
§3.16; 21 CFR Part 11 §11.10(g)), written here as a table independently of the module.
"""

from __future__ import annotations

import pytest

from clears.registry import PERMISSIONS, Account, Action, Role, allows, roles_for

ADMIN, INV, ENTRY, MON = Role.administrator, Role.investigator, Role.data_entry, Role.monitor

EXPECTED = {
    Action.read: {ADMIN, INV, ENTRY, MON},
    Action.record: {ADMIN, INV, ENTRY},
    Action.export: {ADMIN, INV},
    Action.manage_accounts: {ADMIN},
    Action.set_form_status: {ADMIN, INV, ENTRY},
    Action.open_query: {ADMIN, MON},
    Action.answer_query: {ADMIN, INV, ENTRY},
    Action.close_query: {ADMIN, MON},
    Action.verify: {ADMIN, MON},
    Action.sign: {INV},
    Action.lock: {ADMIN, INV},
    Action.unlock: {ADMIN},
    # The issue: a writer hands a patient a survey link; a monitor never writes.
    Action.issue_survey: {ADMIN, INV, ENTRY},
}


def test_every_action_is_declared_once() -> None:
    assert set(PERMISSIONS) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_the_table_allows_exactly_the_expected_roles(role: Role, action: Action) -> None:
    assert allows(role, action) is (role in EXPECTED[action])
    assert Account("u", role, frozenset({"BCN"})).may(action) is (role in EXPECTED[action])


def test_a_monitor_never_changes_data_and_data_entry_never_signs() -> None:
    assert not allows(MON, Action.record)
    assert not allows(ENTRY, Action.sign)
    assert roles_for(Action.unlock) == [ADMIN]


def test_account_shortcuts_follow_the_table() -> None:
    for role in Role:
        account = Account("u", role, frozenset({"BCN"}))
        assert account.can_write is (role in EXPECTED[Action.record])
        assert account.can_export is (role in EXPECTED[Action.export])
        assert account.is_administrator is (role in EXPECTED[Action.manage_accounts])
