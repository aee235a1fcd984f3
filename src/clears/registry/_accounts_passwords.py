"""Passwords of accounts: the policy, Argon2id hashing and verification, temporary passwords.

- Policy (NIST SP 800-63B, section 5.1.1.2): at least :data:`MIN_PASSWORD_LENGTH`
  characters (the guideline asks for at least 8; clears asks for 12), at most
  :data:`MAX_PASSWORD_LENGTH` (what the sign-in form accepts), any characters, no
  composition rules and no periodic expiry.
- Hashing: Argon2id with the ``argon2-cffi`` defaults (the RFC 9106 low-memory profile),
  salted, so hashing the same password twice gives two strings.
- A temporary password (a reset) is 120 random bits, shown once and changed at the next
  sign-in.
"""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clears._exceptions import Problem

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
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


def check_password(password: str) -> list[Problem]:
    """The problems of a new password (none when it is acceptable); the value is never shown.

    Examples
    --------
    >>> [p.message for p in check_password("short")]
    ['has 5 characters']
    >>> check_password("twelve chars")
    []
    """
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return [
            Problem(
                "password",
                None,
                f"has {len(password)} characters",
                f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            )
        ]
    return []


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


def temporary_password() -> str:
    """A random password of 20 characters (120 bits) for a reset, to be changed at sign-in.

    Examples
    --------
    >>> len(temporary_password()), check_password(temporary_password())
    (20, [])
    """
    return secrets.token_urlsafe(15)
