"""Anchors: the head of the audit trail written down outside the database.

An anchor records how many entries the trail had, the hash of the last one, when it was taken
and whether that entry was keyed. Kept somewhere the database administrator cannot write (a
signed e-mail, a ticket, a write-once folder), it lets ``clears audit verify --anchor FILE``
detect what the chain alone cannot: entries removed from the end together with the head
(fewer entries than the anchor), the whole log emptied, or the trail rewritten from an entry
the anchor already covered (the entry at the anchor's count has another hash).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from clears._exceptions import InputError, Problem

__all__ = ["Anchor", "anchor_problems", "parse_anchor"]

_HASH: Final = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head of the trail at one moment: entry count, last hash, time, keyed or not."""

    entries: int
    last_hash: str
    at: str
    keyed: bool

    def to_json(self) -> str:
        """The anchor as one JSON object (sorted keys, indented), ending with a newline.

        Examples
        --------
        >>> print(Anchor(2, "a" * 64, "2024-06-01T00:00:00+00:00", True).to_json(), end="")
        {
          "at": "2024-06-01T00:00:00+00:00",
          "entries": 2,
          "keyed": true,
          "last_hash": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        }
        """
        fields = {
            "at": self.at,
            "entries": self.entries,
            "keyed": self.keyed,
            "last_hash": self.last_hash,
        }
        return json.dumps(fields, indent=2, sort_keys=True) + "\n"


def _problem(name: str, value: object, allowed: str, source: str) -> InputError:
    return InputError(Problem(name, value, "is not a valid anchor value", allowed, source))


def parse_anchor(text: str, *, source: str = "anchor") -> Anchor:
    """Read an anchor written by :meth:`Anchor.to_json`.

    Raises
    ------
    InputError
        Not a JSON object, or a field missing or of the wrong kind (named with its value and
        what is allowed).
    """
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem("anchor", text[:40], f"is not JSON ({exc.msg})", "a JSON object", source)
        ) from exc
    if not isinstance(data, Mapping):
        raise _problem("anchor", data, "a JSON object", source)
    entries = data.get("entries")
    if isinstance(entries, bool) or not isinstance(entries, int) or entries < 0:
        raise _problem("entries", entries, "a whole number of entries, 0 or more", source)
    last_hash = data.get("last_hash")
    if not isinstance(last_hash, str) or not _HASH.fullmatch(last_hash):
        raise _problem("last_hash", last_hash, "64 lowercase hexadecimal digits", source)
    at = data.get("at")
    try:
        dt.datetime.fromisoformat(str(at))
    except ValueError:
        raise _problem("at", at, "an ISO 8601 date and time", source) from None
    keyed = data.get("keyed")
    if not isinstance(keyed, bool):
        raise _problem("keyed", keyed, "true or false", source)
    return Anchor(entries, last_hash, str(at), keyed)


def anchor_problems(anchor: Anchor, *, entries: int, hash_at_anchor: str | None) -> list[str]:
    """What the trail's current state contradicts in ``anchor``.

    Parameters
    ----------
    anchor
        The anchor kept outside the database.
    entries
        The id of the trail's last entry now (0 for an empty log).
    hash_at_anchor
        The stored hash of entry ``anchor.entries`` now (``None`` if there is no such entry).

    Examples
    --------
    >>> a = Anchor(3, "b" * 64, "2024-06-01T00:00:00+00:00", False)
    >>> anchor_problems(a, entries=5, hash_at_anchor="b" * 64)
    []
    >>> anchor_problems(a, entries=0, hash_at_anchor=None)  # doctest: +NORMALIZE_WHITESPACE
    ['the audit log is empty but the anchor of 2024-06-01T00:00:00+00:00 recorded 3 entries
      (log emptied)']
    """
    taken = f"the anchor of {anchor.at}"
    if anchor.entries == 0:
        return []
    if entries == 0:
        return [
            f"the audit log is empty but {taken} recorded {anchor.entries} entries (log emptied)"
        ]
    if entries < anchor.entries:
        return [
            f"the trail ends at entry {entries} but {taken} recorded {anchor.entries} entries "
            "(entries deleted from the end, the log rewound)"
        ]
    if hash_at_anchor != anchor.last_hash:
        return [
            f"entry {anchor.entries} differs from {taken} (the trail was rewritten up to "
            "or beyond that entry)"
        ]
    return []
