"""The declared role table (clears.registry.PERMISSIONS) says what the issue's roles say.

The expected rows are the separation of duties of a monitored study (ICH E6(R3) §3.11,
§3.16; 21 CFR Part 11 §11.10(g)), written here as a table independently of the module.
"""

from __future__ import annotations

import pytest

from clears.registry import PERMISSIONS, Account, Action, Role, allows, roles_for

A, I, D, M = Role.administrator, Role.investigator, Role.data_entry, Role.monitor

EXPECTED = {
    Action.read: {A, I, D, M},
    Action.record: {A, I, D},
    Action.export: {A, I},
    Action.manage_accounts: {A},
    Action.set_form_status: {A, I, D},
    Action.open_query: {A, M},
    Action.answer_query: {A, I, D},
    Action.close_query: {A, M},
    Action.verify: {A, M},
    Action.sign: {I},
    Action.lock: {A, I},
    Action.unlock: {A},
}


def test_every_action_is_declared_once() -> None:
    assert set(PERMISSIONS) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_the_table_allows_exactly_the_expected_roles(role: Role, action: Action) -> None:
    assert allows(role, action) is (role in EXPECTED[action])
    assert Account("u", role, frozenset({"BCN"})).may(action) is (role in EXPECTED[action])


def test_a_monitor_never_changes_data_and_data_entry_never_signs() -> None:
    assert not allows(M, Action.record)
    assert not allows(D, Action.sign)
    assert roles_for(Action.unlock) == [A]


def test_account_shortcuts_follow_the_table() -> None:
    for role in Role:
        account = Account("u", role, frozenset({"BCN"}))
        assert account.can_write is (role in EXPECTED[Action.record])
        assert account.can_export is (role in EXPECTED[Action.export])
        assert account.is_administrator is (role in EXPECTED[Action.manage_accounts])
