"""URLs built from data: every identifier in a link is percent-encoded, and read back exactly.

A patient identifier in ``/patients/{id}`` must name that patient and no other. Without
encoding, ``P?05`` opens ``P`` (the rest is a query string), ``P#06`` opens ``P`` (a
fragment), ``P%2F07`` opens ``P/07``, and ``P/04`` cannot be opened at all. Registry
identifiers are checked against one safe alphabet (:mod:`clears.cohort._ids`), but rows
written before that check may still hold such identifiers, so every link encodes:

* :func:`segment` encodes one path segment: every character outside RFC 3986 "unreserved"
  (section 2.3) is percent-encoded, ``~`` too, and a segment made only of dots (``.``,
  ``..``), which browsers and HTTP clients remove as a relative step (RFC 3986 section
  5.2.4, even when written ``%2E%2E``), is marked by a leading ``~``;
* :func:`query_value` encodes one query-string value;
* :class:`SegmentRoute`, the route class of every router, matches the request's raw
  (still encoded) path, so ``%2F`` inside a segment stays inside it, and decodes each path
  parameter (dropping the dot-segment mark) before the endpoint sees it.

The templates use the two encoders as the Jinja filters ``segment`` and ``query``
(:func:`add_filters`); ``tests/web/test_ids_links.py`` fails if a template puts data into an
``href``, ``action`` or ``src`` without one of them.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import quote, unquote

from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.routing import Match
from starlette.types import Scope

__all__ = [
    "SegmentRoute",
    "add_filters",
    "built_path",
    "patient_path",
    "query_value",
    "saved_landing",
    "segment",
]

#: Leads a path segment that would otherwise be only dots. The encoders always write a
#: literal ``~`` as ``%7E``, so a raw ``~`` in a segment is never part of the data.
DOT_MARK: Final = "~"


def query_value(value: object) -> str:
    """``value`` as text, percent-encoded for one query-string value.

    Examples
    --------
    >>> query_value("a&b=c d")
    'a%26b%3Dc%20d'
    """
    return quote(str(value), safe="").replace("~", "%7E")


def segment(value: object) -> str:
    """``value`` as text, percent-encoded for one path segment (never a dot segment).

    Examples
    --------
    >>> segment("P/04"), segment("P?05"), segment("P%2F07"), segment("p.02")
    ('P%2F04', 'P%3F05', 'P%252F07', 'p.02')
    >>> segment("..")
    '~..'
    """
    text = query_value(value)
    return DOT_MARK + text if not text.strip(".") else text


def read_segment(raw: str) -> str:
    """The value :func:`segment` encoded as ``raw``.

    Examples
    --------
    >>> read_segment("P%2F04"), read_segment("~..")
    ('P/04', '..')
    """
    return unquote(raw.removeprefix(DOT_MARK))


def patient_path(patient_id: str, *rest: str) -> str:
    """The page of a patient (or one below it: ``rest`` are fixed path words).

    Examples
    --------
    >>> patient_path("P#06")
    '/patients/P%2306'
    >>> patient_path("P 08", "audit")
    '/patients/P%2008/audit'
    """
    return "/".join(["/patients", segment(patient_id), *rest])


def saved_landing(patient_id: str, table: str) -> str:
    """Where a saved record form lands: the patient's page, told what was saved, so that it
    opens with the data-quality warnings the save brings (``?saved=TABLE``).

    Examples
    --------
    >>> saved_landing("P#06", "visits")
    '/patients/P%2306?saved=visits'
    """
    return f"{patient_path(patient_id)}?saved={query_value(table)}"


#: What a path already built from encoded parts may hold (RFC 3986 path and query
#: characters, and percent escapes): no quote, space, angle bracket or backslash.
_BUILT_PATH = re.compile(r"/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*")


def built_path(value: object) -> str:
    """A path a view or template built with :func:`segment` and :func:`patient_path`, as is:
    the filter for a whole prebuilt URL in a template, which refuses anything else.

    Raises
    ------
    ValueError
        ``value`` is not a site path of encoded characters (an unencoded value slipped in).

    Examples
    --------
    >>> built_path("/patients/P%2F04/sign")
    '/patients/P%2F04/sign'
    >>> built_path("/patients/P 04")
    Traceback (most recent call last):
    ...
    ValueError: not an encoded site path: '/patients/P 04'
    """
    text = str(value)
    if not _BUILT_PATH.fullmatch(text) or text.startswith("//"):
        raise ValueError(f"not an encoded site path: {text!r}")
    return text


def add_filters(templates: Jinja2Templates) -> None:
    """Register the ``segment``, ``query`` and ``built_path`` filters on the templates'
    environment."""
    templates.env.filters["segment"] = segment
    templates.env.filters["query"] = query_value
    templates.env.filters["built_path"] = built_path


class SegmentRoute(APIRoute):
    """A route matched on the raw request path, its path parameters decoded one by one.

    The ASGI ``path`` is already decoded, so ``/patients/P%2F04`` arrives as
    ``/patients/P/04`` and no longer names one segment; ``raw_path`` still does.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        raw = scope.get("raw_path")
        if scope["type"] != "http" or not raw or not raw.isascii():
            return super().matches(scope)
        match, child = super().matches({**scope, "path": raw.decode("ascii")})
        if match is not Match.NONE:
            params: dict[str, Any] = dict(child.get("path_params", {}))
            for name in self.param_convertors:
                if isinstance(params.get(name), str):
                    params[name] = read_segment(params[name])
            child["path_params"] = params
        return match, child
