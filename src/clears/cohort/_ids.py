"""Record identifiers: the one safe alphabet every entry point enforces.

A patient identifier travels in URLs (``/patients/{id}``), file names, CSV cells, REDCap
record ids and audit entries. Characters that mean something in any of them (``/``, ``?``,
``#``, ``%``, spaces, quotes, line breaks) or that cannot be seen (zero-width spaces, other
format and control characters) would let two different-looking ids name one patient, or
one id open another patient's page. So identifiers are 1–64 characters from a small ASCII
alphabet, and two identifiers that differ only by letter case name the same patient (they
are refused as duplicates, never stored side by side).

The alphabet follows RFC 3986 section 2.3 ("unreserved characters": ALPHA, DIGIT, ``-``,
``.``, ``_``, ``~``) without ``~``, and requires a letter or digit first so that an id can
never be ``.`` or ``..`` (a path segment) or start like a command-line option.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["ID_ALLOWED", "ID_MAX_LENGTH", "id_key", "id_problem", "normalise_id"]

#: Longest identifier accepted (the registry's identifier columns hold 64 characters).
ID_MAX_LENGTH: Final = 64

#: The allowed identifiers, in words (for problem messages and the schema documentation).
ID_ALLOWED: Final = (
    f"1–{ID_MAX_LENGTH} characters: letters A–Z and a–z, digits 0–9, '.', '_' and '-', "
    "starting with a letter or digit"
)

_ID: Final = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ID_MAX_LENGTH - 1}}}")
_ALLOWED_CHAR: Final = re.compile(r"[A-Za-z0-9._-]")


def normalise_id(value: object) -> str:
    """Return ``value`` as an identifier is stored: text without surrounding white space.

    Every entry point (file import, web form, JSON API, command line) normalises the same
    way, so ``' P02'`` typed in one and ``P02`` in another are one patient.

    Examples
    --------
    >>> normalise_id("  P02 ")
    'P02'
    >>> normalise_id(7)
    '7'
    """
    return str(value).strip()


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if char == " ":
        return "a space"
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or not char.isprintable():
        label = f" ({name.lower()})" if name else ""
        return f"an invisible character U+{ord(char):04X}{label}"
    return f"'{char}'"


def id_problem(text: str) -> str | None:
    """Return why ``text`` (already normalised) is not a valid identifier, or ``None``.

    Examples
    --------
    >>> id_problem("P-01") is None
    True
    >>> id_problem("P/01")
    "contains '/'"
    >>> id_problem("P\\u200b01")
    'contains an invisible character U+200B (zero width space)'
    >>> id_problem(".hidden")
    'must start with a letter or digit'
    """
    if _ID.fullmatch(text):
        return None
    if not text:
        return "is blank"
    for char in text:
        if not _ALLOWED_CHAR.fullmatch(char):
            return f"contains {_describe(char)}"
    if len(text) > ID_MAX_LENGTH:
        return f"is {len(text)} characters long; at most {ID_MAX_LENGTH} are allowed"
    return "must start with a letter or digit"


def id_key(text: str) -> str:
    """The key under which two identifiers are the same patient (letter case ignored).

    Examples
    --------
    >>> id_key("p01") == id_key("P01")
    True
    """
    return text.casefold()
