"""The parameters each kind of background job takes, checked before a job is queued.

A job's parameters are a small JSON object. Each kind declares its fields with their allowed
values and default (:data:`FIELDS`); :func:`checked` fills the defaults, refuses unknown
fields and values outside the allowed ones (one :class:`~clears._exceptions.Problem` per
field, naming it, the value and what is allowed), and returns the canonical form that is
stored and compared: two submissions with the same canonical parameters are the same job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from clears._exceptions import InputError, Problem
from clears.criteria import BUNDLED
from clears.registry._models import JOB_KINDS
from clears.registry.exports.writer import Format

__all__ = ["FIELDS", "REPORT_FORMATS", "Field", "canonical", "checked"]

#: Files the report job writes: the standalone HTML document, or its tables.
REPORT_FORMATS: Final = ("html", "docx", "xlsx")

#: The presets of ``clears report`` without ``--criteria``.
_REPORT_CRITERIA: Final = ("aitmehdi2021", "cortes2012")


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter: its allowed values (a list of them when ``many``) and its default."""

    allowed: tuple[Any, ...]
    default: Any
    many: bool = False

    def shown(self) -> str:
        """The allowed values as a user reads them."""
        values = ", ".join(json.dumps(v) for v in self.allowed)
        return f"a list of {values}" if self.many else values


#: Kind -> parameter name -> field.
FIELDS: Final[Mapping[str, Mapping[str, Field]]] = MappingProxyType(
    {
        "outcomes": {"criteria": Field(BUNDLED, "aitmehdi2021")},
        "report": {
            "format": Field(REPORT_FORMATS, "html"),
            "criteria": Field(BUNDLED, list(_REPORT_CRITERIA), many=True),
        },
        "export": {
            "format": Field(tuple(str(f) for f in Format), "csv"),
            "deidentified": Field((False, True), False),
        },
    }
)


def _bad(field: str, value: object, message: str, allowed: str) -> Problem:
    return Problem(field, value, message, allowed)


def _one(name: str, spec: Field, value: object) -> tuple[object, list[Problem]]:
    if not spec.many:
        # bool is an int in Python: compare types too, so 1 is not taken for True.
        if any(type(value) is type(a) and value == a for a in spec.allowed):
            return value, []
        return None, [_bad(f"parameters.{name}", value, "is not allowed", spec.shown())]
    if isinstance(value, str):  # "a,b" from a form or the command line
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value:
        return None, [_bad(f"parameters.{name}", value, "is not a non-empty list", spec.shown())]
    wrong = [v for v in value if v not in spec.allowed or not isinstance(v, str)]
    if wrong:
        return None, [_bad(f"parameters.{name}", wrong, "holds values not allowed", spec.shown())]
    return list(dict.fromkeys(value)), []


def checked(kind: object, parameters: Mapping[str, object] | None) -> dict[str, object]:
    """The canonical parameters of a ``kind`` job, defaults filled in.

    Raises
    ------
    InputError
        An unknown kind, an unknown parameter, or a value that is not allowed; every problem
        names the field, the value and the allowed values.

    Examples
    --------
    >>> checked("export", {"format": "fhir"})
    {'deidentified': False, 'format': 'fhir'}
    >>> checked("outcomes", {"criteria": "nope"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: parameters.criteria: is not allowed (got 'nope'); allowed: ...
    """
    if kind not in JOB_KINDS:
        raise InputError(_bad("kind", kind, "is not a kind of job", ", ".join(JOB_KINDS)))
    fields = FIELDS[str(kind)]
    given = dict(parameters or {})
    problems = [
        _bad(
            f"parameters.{name}", given[name], "is not a parameter of this kind", ", ".join(fields)
        )
        for name in sorted(set(given) - set(fields))
    ]
    result: dict[str, object] = {}
    for name, spec in fields.items():
        value, found = _one(name, spec, given.get(name, spec.default))
        problems += found
        result[name] = value
    if problems:
        raise InputError(problems)
    return dict(sorted(result.items()))


def canonical(parameters: Mapping[str, object]) -> str:
    """The stored text of checked parameters (sorted keys, no spaces).

    Examples
    --------
    >>> canonical({"format": "csv", "deidentified": False})
    '{"deidentified":false,"format":"csv"}'
    """
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"))
