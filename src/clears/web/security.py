"""CSRF tokens of the web app, and the password functions it uses.

- Passwords are hashed with Argon2id by the registry (:func:`clears.registry.hash_password`,
  re-exported here with :func:`clears.registry.verify_password`).
- A session is a random 256-bit token in an ``HttpOnly``, ``SameSite=Strict`` cookie (and
  ``Secure`` outside development); the registry keeps its hash, who it belongs to and when
  it expires (:class:`clears.registry.SessionStore`), so every server process knows it.
- Every form carries a CSRF token: an HMAC-SHA256 of the session token under the app's
  secret key, compared in constant time (the "synchronizer token" pattern of the OWASP
  CSRF cheat sheet). JSON API calls must send it in the ``X-CSRF-Token`` header.
- Failed sign-ins are counted per user name and per client address in a sliding window, in
  the registry too (:class:`clears.registry.SignInLimiter`).
"""

from __future__ import annotations

import hashlib
import hmac

from clears.registry import hash_password, verify_password

__all__ = ["csrf_token", "csrf_valid", "hash_password", "verify_password"]


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of one session: hex HMAC-SHA256 of the session token.

    Examples
    --------
    >>> token = csrf_token("k" * 32, "session-1")
    >>> csrf_valid("k" * 32, "session-1", token), csrf_valid("k" * 32, "session-2", token)
    (True, False)
    """
    return hmac.new(secret.encode(), session_token.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, session_token: str, given: str | None) -> bool:
    """Constant-time check of a submitted CSRF token."""
    if not given:
        return False
    return hmac.compare_digest(csrf_token(secret, session_token), given)
