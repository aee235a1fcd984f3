"""Passwords of accounts: the policy, Argon2id hashing and verification, temporary passwords.

- Policy (NIST SP 800-63B, section 5.1.1.2): at least :data:`MIN_PASSWORD_LENGTH`
  characters (the guideline asks for at least 8; clears asks for 12), at most
  :data:`MAX_PASSWORD_LENGTH` (what the sign-in form accepts), any characters, no
  composition rules and no periodic expiry. As the guideline asks, a new password is also
  compared with a list of commonly used ones (the leaked-password frequency list the
  ``zxcvbn`` package maintains, 30,000 entries, compared ignoring letter case, also with
  digits or symbols added at either end), refused when it repeats or runs in sequence
  (``aaaaaaaaaaaa``, ``abcabcabcabc``, ``123456789012``), and refused when it is built on
  the context: the user name, or the service's name with digits or symbols.
- Hashing: Argon2id with the ``argon2-cffi`` defaults (the RFC 9106 low-memory profile),
  salted, so hashing the same password twice gives two strings.
- A temporary password (a reset) is 120 random bits, shown once and changed at the next
  sign-in.
"""

from __future__ import annotations

import functools
import itertools
import secrets
import string
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clears._exceptions import Problem

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "SERVICE_NAME",
    "check_password",
    "hash_password",
    "is_password_hash",
    "temporary_password",
    "verify_password",
]

#: Fewest characters in a password (NIST SP 800-63B, 5.1.1.2, asks for at least 8).
MIN_PASSWORD_LENGTH: Final = 12
#: Most characters in a password: the sign-in form accepts no more.
MAX_PASSWORD_LENGTH: Final = 1000

_HASHER: Final = PasswordHasher()

# A valid hash verified when the user name is unknown, so that timing does not reveal it.
_DUMMY_HASH: Final = _HASHER.hash("not-a-real-password")


def check_password(password: str, *, username: str | None = None) -> list[Problem]:
    """The problems of a new password (none when it is acceptable); the value is never shown.

    Parameters
    ----------
    password
        The new password.
    username
        The account's user name, which the password must not be built on.

    Examples
    --------
    >>> [p.message for p in check_password("a bit short")]
    ['has 11 characters']
    >>> check_password("twelve chars")
    []
    >>> [p.message for p in check_password("aaaaaaaaaaaa")]
    ['repeats or runs in sequence']
    """
    found: list[Problem] = []
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        found.append(
            Problem(
                "password",
                None,
                f"has {len(password)} characters",
                f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            )
        )
        if len(password) > MAX_PASSWORD_LENGTH:
            return found
    folded = password.casefold()
    core = folded.strip(_NOT_LETTERS)  # without digits, symbols and spaces at either end
    if folded in _common_passwords() or (len(core) >= 3 and core in _common_passwords()):
        found.append(
            Problem(
                "password",
                None,
                "is a commonly used password (on the zxcvbn list of leaked passwords, "
                "or one of them with digits or symbols added)",
                "a password not on that list; a phrase of several unusual words works well",
            )
        )
    if _repetitive(folded):
        found.append(
            Problem(
                "password",
                None,
                "repeats or runs in sequence",
                "no character or group repeated throughout (aaaa…, abab…) and no run such as "
                "1234… or abcd…",
            )
        )
    name = (username or "").strip().casefold()
    if name and (core == name.strip(_NOT_LETTERS) or (len(name) >= 4 and name in folded)):
        found.append(Problem("password", None, "contains the user name", "a password without it"))
    elif core == SERVICE_NAME:
        found.append(
            Problem(
                "password",
                None,
                f"is the service's name ({SERVICE_NAME}) with digits or symbols",
                "a password not built on it",
            )
        )
    return found


#: The name of the service, a context-specific word a password must not be built on.
SERVICE_NAME: Final = "clears"

# Stripped from the ends of a password before comparing it with the list and the context.
_NOT_LETTERS: Final = string.digits + string.punctuation + string.whitespace


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The ``zxcvbn`` package's list of commonly used passwords, in lower case (read once,
    when a password is first checked)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(entry.casefold() for entry in FREQUENCY_LISTS["passwords"])


def _repetitive(folded: str) -> bool:
    """Whether a password is few characters repeated, one group repeated throughout, or a
    run of successive letters or digits (NIST SP 800-63B's "repetitive or sequential").

    Examples
    --------
    >>> [_repetitive(p) for p in ("aaaaaaaaaaaa", "abcabcabcabc", "123456789012", "lkjihgfedcba")]
    [True, True, True, True]
    >>> _repetitive("correct horse battery staple")
    False
    """
    if len(set(folded)) <= 2:
        return True
    length = len(folded)
    if any(folded == (folded[:period] * length)[:length] for period in range(1, length // 2 + 1)):
        return True
    steps = {_step(a, b) for a, b in itertools.pairwise(folded)}
    return steps in ({1}, {-1})


def _step(first: str, second: str) -> int:
    """The step from one character to the next (digits wrap round: 9 then 0 is +1)."""
    if first.isdigit() and second.isdigit():
        step = (ord(second) - ord(first)) % 10
        return {1: 1, 9: -1}.get(step, 0)
    return ord(second) - ord(first)


def hash_password(password: str) -> str:
    """Return the Argon2id hash of ``password`` (salted; a different string every call).

    Examples
    --------
    >>> digest = hash_password("correct horse")
    >>> digest.startswith("$argon2id$"), verify_password("correct horse", digest)
    (True, True)
    >>> verify_password("wrong", digest)
    False
    """
    return _HASHER.hash(password)


def verify_password(password: str, digest: str | None) -> bool:
    """Whether ``password`` matches ``digest``; ``None`` (unknown user) still costs a hash."""
    try:
        return _HASHER.verify(digest or _DUMMY_HASH, password) and digest is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_password_hash(value: object) -> bool:
    """Whether ``value`` looks like an Argon2 hash (what a users file must hold).

    Examples
    --------
    >>> is_password_hash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"), is_password_hash("x")
    (True, False)
    """
    return isinstance(value, str) and value.startswith("$argon2")


def temporary_password(username: str | None = None) -> str:
    """A random password of 20 characters (120 bits) for a reset, to be changed at sign-in.

    Drawn again in the rare case the policy would refuse it (the random characters happen
    to contain ``username``), so a reset or a new account never fails by chance.

    Examples
    --------
    >>> len(temporary_password()), check_password(temporary_password("ana"), username="ana")
    (20, [])
    """
    while True:
        candidate = secrets.token_urlsafe(15)
        if not check_password(candidate, username=username):
            return candidate
