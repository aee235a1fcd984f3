"""CSRF tokens of the web app, and the password functions it uses.

- Passwords are hashed with Argon2id by the registry (:func:`clears.registry.hash_password`,
  re-exported here with :func:`clears.registry.verify_password`).
- A session is a random 256-bit token in an ``HttpOnly``, ``SameSite=Strict`` cookie (and
  ``Secure`` outside development); the registry keeps its hash, who it belongs to and when
  it expires (:class:`clears.registry.SessionStore`), so every server process knows it.
- Every form carries a CSRF token: an HMAC-SHA256 of the session token under the app's
  secret key, compared in constant time (the "synchronizer token" pattern of the OWASP
  CSRF cheat sheet). JSON API calls must send it in the ``X-CSRF-Token`` header.
- A page rendered for a signed-in user adds to that token who the form is for and when it
  was rendered, signed under the same key (:func:`form_owner`): when a save arrives after
  its session ended (the browser may have dropped the cookie, so the first part cannot be
  checked), this tells whose form it is, so that what was typed is kept for that user only
  (:mod:`clears.web._kept_forms`); a token the server never issued tells nothing.
- Failed sign-ins are counted per user name and per client address in a sliding window, in
  the registry too (:class:`clears.registry.SignInLimiter`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from clears.registry import hash_password, verify_password

__all__ = ["csrf_token", "csrf_valid", "form_owner", "hash_password", "verify_password"]

#: The longest user name a token's owner part may carry, in hex (user names are shorter).
_NAME_HEX: Final = 512


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def csrf_token(
    secret: str, session_token: str, *, username: str = "", issued: int | None = None
) -> str:
    """The CSRF token of one session: hex HMAC-SHA256 of the session token; with
    ``username`` and ``issued`` (Unix seconds), followed by ``.``, the user name in hex, the
    time and an HMAC-SHA256 of the three, which :func:`form_owner` reads.

    Examples
    --------
    >>> token = csrf_token("k" * 32, "session-1")
    >>> csrf_valid("k" * 32, "session-1", token), csrf_valid("k" * 32, "session-2", token)
    (True, False)
    >>> owned = csrf_token("k" * 32, "session-1", username="ana", issued=1000)
    >>> csrf_valid("k" * 32, "session-1", owned), form_owner("k" * 32, owned, now=1060)
    (True, 'ana')
    """
    base = _mac(secret, session_token)
    if not username or issued is None:
        return base
    name = username.encode().hex()
    return f"{base}.{name}.{issued}.{_mac(secret, f'form owner:{base}.{name}.{issued}')}"


def csrf_valid(secret: str, session_token: str, given: str | None) -> bool:
    """Constant-time check of a submitted CSRF token: the session's HMAC, and the owner
    part, when there is one, exactly as this server signed it."""
    if not given:
        return False
    base = _mac(secret, session_token)
    parts = given.split(".")
    if len(parts) == 1:
        return hmac.compare_digest(base, given)
    if len(parts) != 4:
        return False
    expected = f"{base}.{parts[1]}.{parts[2]}"
    return hmac.compare_digest(f"{expected}.{_mac(secret, f'form owner:{expected}')}", given)


def form_owner(secret: str, given: str | None, *, now: int, within: int = 24 * 3600) -> str | None:
    """The user a page with CSRF token ``given`` was rendered for, when the token was issued
    by this server (its owner part signed under ``secret``) no more than ``within`` seconds
    before ``now`` (Unix seconds); else ``None``.

    Examples
    --------
    >>> owned = csrf_token("k" * 32, "s", username="ana", issued=1000)
    >>> form_owner("k" * 32, owned, now=1000 + 25 * 3600), form_owner("x" * 32, owned, now=1001)
    (None, None)
    >>> form_owner("k" * 32, owned.replace("616e61", "626f62"), now=1001) is None
    True
    """
    parts = (given or "").split(".")
    if len(parts) != 4 or len(parts[1]) > _NAME_HEX:
        return None
    base, name, issued, mac = parts
    if not issued.isascii() or not issued.isdigit() or len(issued) > 12:
        return None
    if not hmac.compare_digest(_mac(secret, f"form owner:{base}.{name}.{issued}"), mac):
        return None
    if not 0 <= now - int(issued) <= within:
        return None
    try:
        return bytes.fromhex(name).decode()
    except ValueError:
        return None
