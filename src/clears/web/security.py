"""Passwords, sessions, CSRF tokens and sign-in rate limiting for the web app.

- Passwords are hashed with Argon2id (``argon2-cffi`` defaults, RFC 9106 low-memory profile).
- A session is a random 256-bit token in an ``HttpOnly``, ``SameSite=Strict`` cookie (and
  ``Secure`` outside development); the server keeps who it belongs to and when it was last
  used, and forgets it after ``session_minutes`` idle or at sign-out.
- Every form carries a CSRF token: an HMAC-SHA256 of the session token under the app's
  secret key, compared in constant time (the "synchronizer token" pattern of the OWASP
  CSRF cheat sheet). JSON API calls must send it in the ``X-CSRF-Token`` header.
- Failed sign-ins are counted per user name and per client address in a sliding window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "RateLimiter",
    "SessionData",
    "SessionStore",
    "csrf_token",
    "csrf_valid",
    "hash_password",
    "verify_password",
]

_HASHER = PasswordHasher()

# A valid hash verified when the user name is unknown, so that timing does not reveal it.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


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


@dataclass
class SessionData:
    """What the server remembers about one signed-in session."""

    username: str
    created: float
    last_seen: float


@dataclass
class SessionStore:
    """In-memory sessions with an idle timeout (one process; see ``docs/web.md``).

    Examples
    --------
    >>> now = [0.0]
    >>> store = SessionStore(timeout_seconds=60, clock=lambda: now[0])
    >>> token = store.create("dr_a")
    >>> store.get(token).username
    'dr_a'
    >>> now[0] = 61.0
    >>> store.get(token) is None
    True
    """

    timeout_seconds: float
    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, SessionData] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, username: str) -> str:
        """Start a session for ``username``; return its new random token."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._sessions[token] = SessionData(username, now, now)
        return token

    def get(self, token: str | None) -> SessionData | None:
        """The live session of ``token`` (refreshing its idle timer), else ``None``."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            data = self._sessions.get(token)
            if data is None:
                return None
            if now - data.last_seen > self.timeout_seconds:
                del self._sessions[token]
                return None
            data.last_seen = now
            return data

    def end(self, token: str | None) -> None:
        """Forget a session (sign-out)."""
        if token:
            with self._lock:
                self._sessions.pop(token, None)


@dataclass
class RateLimiter:
    """At most ``limit`` failures per key within ``window_seconds`` (sliding window).

    Examples
    --------
    >>> now = [0.0]
    >>> limiter = RateLimiter(limit=2, window_seconds=10, clock=lambda: now[0])
    >>> limiter.record_failure("ip:1"); limiter.record_failure("ip:1")
    >>> limiter.blocked("ip:1")
    True
    >>> now[0] = 10.5
    >>> limiter.blocked("ip:1")
    False
    """

    limit: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window_seconds:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has reached the limit within the window."""
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def record_failure(self, key: str) -> None:
        """Count one failed attempt for ``key``."""
        now = self.clock()
        with self._lock:
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)
