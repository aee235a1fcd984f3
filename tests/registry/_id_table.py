"""The identifiers every entry point is tested with (shared by the registry, CLI and web tests).

The expected wording is the rule of ``clears.cohort._ids`` written out by hand: the RFC 3986
unreserved characters without '~', a letter or digit first, at most 64 characters.
"""

from __future__ import annotations

from typing import Final

#: ``(identifier, what the problem says)``: every entry point refuses each of these.
BAD_IDS: Final = (
    ("", "is blank"),
    ("   ", "is blank"),
    ("P/01", "contains '/'"),
    ("P?01", "contains '?'"),
    ("P#01", "contains '#'"),
    ("P%2F01", "contains '%'"),
    ("P 01", "contains a space"),
    ("P\u200b01", "contains an invisible character U+200B"),
    ("P\n01", "contains an invisible character U+000A"),
    ("Pé01", "contains 'é'"),
    ("..", "must start with a letter or digit"),
    ("-P01", "must start with a letter or digit"),
    ("P" * 65, "is 65 characters long; at most 64"),
)

#: ``(as typed, as stored)``: surrounding white space is not part of an identifier.
PADDED: Final = (("P09 ", "P09"), (" P09", "P09"), ("\tP09\t", "P09"))

#: An identifier equal to ``P1`` (registered by the fixtures) ignoring letter case.
CASE_TWIN: Final = "p1"
