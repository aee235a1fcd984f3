"""New passwords are refused when common, repetitive or built on the context (NIST SP
800-63B, section 5.1.1.2), each refusal naming its rule and never the password."""

from __future__ import annotations

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from clears.registry._accounts_passwords import (
    MIN_PASSWORD_LENGTH,
    check_password,
    temporary_password,
)


def _messages(password: str, username: str | None = None) -> list[str]:
    return [p.message for p in check_password(password, username=username)]


def test_every_long_enough_entry_of_the_maintained_list_is_refused() -> None:
    # The list is the zxcvbn package's leaked-password frequency list; its entries of the
    # allowed length are refused, whatever their letter case.
    listed = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_PASSWORD_LENGTH]
    assert "password1234" in listed
    assert listed  # the package still ships entries this long
    for entry in [*listed, *(p.upper() for p in listed)]:
        assert any("commonly used password" in m for m in _messages(entry)), entry


@pytest.mark.parametrize(
    "password",
    # A listed password (password, dragon, qwerty, letmein) with digits or symbols added.
    ["password1234", "Password1234!", "dragon2026!!!", "!!qwerty123456", "letmein 2026!"],
)
def test_a_listed_password_with_digits_or_symbols_added_is_refused(password: str) -> None:
    assert _messages(password) == [
        "is a commonly used password (on the zxcvbn list of leaked passwords, "
        "or one of them with digits or symbols added)"
    ]


@pytest.mark.parametrize(
    "password",
    # NIST's "repetitive or sequential characters", at the allowed length.
    ["aaaaaaaaaaaa", "ababababababab", "abcabcabcabc", "passwordpassword", "123456789012",
     "210987654321", "abcdefghijklm", "ZYXWVUTSRQPO", "aaaaaaaaaaab"],
)  # fmt: skip
def test_repetitive_or_sequential_passwords_are_refused(password: str) -> None:
    assert "repeats or runs in sequence" in _messages(password)


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("investigator_bcn", "investigator_bcn"),  # the name itself
        ("Investigator_BCN", "investigator_bcn"),  # in another letter case
        ("investigator_bcn!2026", "investigator_bcn"),  # with digits or symbols added
        ("my name is dr_lyon really", "dr_lyon"),  # inside a phrase
        ("ana 2026 !!!! ??", "ana"),  # a short name with digits and symbols only
    ],
)
def test_a_password_built_on_the_user_name_is_refused(password: str, username: str) -> None:
    assert _messages(password, username) == ["contains the user name"]


def test_a_short_password_that_is_the_user_name_names_both_rules() -> None:
    assert _messages("dr_bcn", "dr_bcn") == ["has 6 characters", "contains the user name"]


def test_the_service_name_with_digits_or_symbols_is_refused() -> None:
    assert _messages("clears2026!!!!") == ["is the service's name (clears) with digits or symbols"]


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "a long enough password",
        "the fog clears at dawn",  # the service's name inside a phrase
        "banana split sundae",  # a short user name (ana) inside a word
        "twelve chars",
        "Lyon 2026: six patients",
    ],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    assert check_password(password, username="ana") == []


def test_a_refusal_never_shows_the_password() -> None:
    problems = check_password("investigator_bcn2026", username="investigator_bcn")
    assert problems
    assert all(p.value is None for p in problems)
    assert all("2026" not in str(p) for p in problems)


def test_a_temporary_password_the_policy_would_refuse_is_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Random characters that happen to contain the user name, then ones that do not.
    draws = iter(["Xy_dr_lyonQ7kP2mW9vZ", "Xy4nQ7kP2mW9vZb8Lc3t"])
    monkeypatch.setattr(
        "clears.registry._accounts_passwords.secrets.token_urlsafe", lambda n: next(draws)
    )
    assert temporary_password("dr_lyon") == "Xy4nQ7kP2mW9vZb8Lc3t"
