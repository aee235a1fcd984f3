"""Canonical JSON of a record's values: the form the audit trail stores and hashes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical"]


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


#: What ``json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
#: default=_json_default)`` builds on every call, built once (an import canonicalises
#: every row it writes).
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
)


def canonical(values: Mapping[str, Any] | None) -> str | None:
    """Values as canonical JSON (sorted keys, no spaces, ISO dates); ``None`` stays ``None``.

    Examples
    --------
    >>> canonical({"b": dt.date(2020, 1, 2), "a": 1})
    '{"a":1,"b":"2020-01-02"}'
    """
    if values is None:
        return None
    return _ENCODER.encode(dict(values))
