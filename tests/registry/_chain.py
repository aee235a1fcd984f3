"""The audit entry hash recomputed independently (hashlib/hmac) from the documented payload.

``docs/registry.md``: an entry's hash covers these columns, in this order, as a compact JSON
list; unkeyed entries are SHA-256 of it, keyed ones HMAC-SHA256 with the audit key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Final

HASHED: Final = (
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "patient_id",
    "before",
    "after",
    "reason",
    "prev_hash",
)


def payload(row: Mapping[Any, Any]) -> bytes:
    """The bytes an entry's hash covers."""
    return json.dumps([row[f] for f in HASHED], separators=(",", ":"), ensure_ascii=False).encode()


def sha256_of(row: Mapping[Any, Any]) -> str:
    """The unkeyed (SHA-256) hash of an entry."""
    return hashlib.sha256(payload(row)).hexdigest()


def hmac_of(row: Mapping[Any, Any], key: str | bytes) -> str:
    """The keyed (HMAC-SHA256) hash of an entry."""
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, payload(row), hashlib.sha256).hexdigest()
