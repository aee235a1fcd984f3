"""The rules of an account (clears.registry._accounts_rules, _accounts_passwords): pure.

Password edges follow the policy: 12 to 1000 characters (NIST SP 800-63B 5.1.1.2 asks for
at least 8; clears asks for 12; 1000 is what the sign-in form accepts).
"""

from __future__ import annotations

import hashlib

import pytest

from clears.registry._accounts_passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password,
    hash_password,
    is_password_hash,
    temporary_password,
    verify_password,
)
from clears.registry._accounts_rules import (
    Account,
    Role,
    centre_problems,
    manages,
    name_problems,
    role_problems,
)
from clears.registry._actor import Actor

EVERYWHERE = Actor.everywhere("cli")
KNOWN = {"BCN", "LYO"}


def test_password_length_edges() -> None:
    assert MIN_PASSWORD_LENGTH == 12
    short = [str(p) for p in check_password("eleven char")]
    assert short == ["password: has 11 characters; allowed: 12 to 1000 characters"]
    assert check_password("twelve chars") == []
    longest = "".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(16))
    assert check_password(longest[:MAX_PASSWORD_LENGTH]) == []
    assert [p.field for p in check_password("x" * (MAX_PASSWORD_LENGTH + 1))] == ["password"]
    assert "eleven char" not in short[0]  # the password itself is never echoed


@pytest.mark.slow  # over a second in --durations
def test_hashes_are_salted_argon2id_and_recognised() -> None:
    first, second = hash_password("pw"), hash_password("pw")
    assert first != second
    assert is_password_hash(first)
    assert not is_password_hash("pw")
    assert not is_password_hash(None)
    assert verify_password("pw", second)
    assert not verify_password("pw", None)


def test_temporary_passwords_pass_the_policy_and_differ() -> None:
    made = {temporary_password() for _ in range(20)}
    assert len(made) == 20
    assert all(check_password(p) == [] for p in made)


@pytest.mark.parametrize(
    ("name", "ok"),
    [("a", True), ("a" * 64, True), ("a" * 65, False), ("dr.x@h-1_b", True), ("-a", False)],
)
def test_user_name_rule_edges(name: str, ok: bool) -> None:
    assert (name_problems(name) == []) is ok


def test_messages_name_the_field_the_value_and_what_is_allowed() -> None:
    assert [str(p) for p in name_problems("bad name")] == [
        "username: is not a valid user name (got 'bad name'); allowed: 1-64 letters, digits "
        "or . _ @ -, starting with a letter or digit"
    ]
    assert [str(p) for p in role_problems("nurse")] == [
        "role: is not a role (got 'nurse'); allowed: administrator, investigator, "
        "data_entry, monitor"
    ]
    assert role_problems("monitor") == []


def test_centres_known_to_the_registry_and_all_centres_alone() -> None:
    found = [str(p) for p in centre_problems({"BCN", "PAR"}, known=KNOWN, actor=EVERYWHERE)]
    assert found == ["centre: is not a centre of the registry (got 'PAR'); allowed: BCN, LYO"]
    none_yet = centre_problems({"BCN"}, known=set(), actor=EVERYWHERE)
    assert "none (the registry has no centre yet)" in str(none_yet[0])
    assert "cannot be combined" in str(
        centre_problems({"*", "BCN"}, known=KNOWN, actor=EVERYWHERE)[0]
    )
    assert "is missing" in str(centre_problems(set(), known=KNOWN, actor=EVERYWHERE)[0])
    assert centre_problems({"*"}, known=KNOWN, actor=EVERYWHERE) == []


def test_a_centre_administrator_gives_and_manages_only_their_centres() -> None:
    bcn = Actor("adm", frozenset({"BCN"}))
    assert centre_problems({"BCN"}, known=KNOWN, actor=bcn) == []
    assert "not one of your centres" in str(centre_problems({"LYO"}, known=KNOWN, actor=bcn)[0])
    assert "network-wide" in str(centre_problems({"*"}, known=KNOWN, actor=bcn)[0])
    assert manages(bcn, {"BCN"})
    assert not manages(bcn, {"BCN", "LYO"})
    assert not manages(bcn, {"*"})
    assert manages(EVERYWHERE, {"*"})


@pytest.mark.parametrize(
    ("role", "write", "export", "administer"),
    [
        (Role.administrator, True, True, True),
        (Role.investigator, True, True, False),
        (Role.data_entry, True, False, False),
        (Role.monitor, False, False, False),
    ],
)
def test_what_each_role_may_do(role: Role, write: bool, export: bool, administer: bool) -> None:
    account = Account("u", role, frozenset({"BCN"}))
    assert (account.can_write, account.can_export, account.is_administrator) == (
        write,
        export,
        administer,
    )
