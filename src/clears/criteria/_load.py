"""Reading presets from TOML: the bundled ones and user-written files.

Every key is checked; an unknown key, a missing key or a value of the wrong kind gives an
:class:`~clears.InputError` listing all problems, each naming the key, the value and what is
allowed. The file format is documented in ``docs/criteria.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

from clears._exceptions import InputError, NotFoundError, Problem
from clears._toml_input import read_toml
from clears.criteria._preset import (
    ASSESSMENT_RULES,
    COMBINE_MODES,
    LEVEL_NAMES,
    RELAPSE_SETTINGS,
    AssessmentRule,
    Combine,
    LevelName,
    LevelRule,
    Preset,
    RelapseRule,
    RelapseSetting,
    ResponseRule,
)
from clears.instruments import Reference
from clears.instruments.clasi import ACTIVITY_MAX

__all__ = ["BUNDLED", "PRESETS", "get", "load", "parse", "resolve"]

#: Names of the presets shipped with clears (files ``clears/data/criteria/<name>.toml``).
BUNDLED = ("aitmehdi2021", "braunstein2012", "clasi50", "cortes2012", "klein2011")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TOP = ("name", "version", "title", "flare_rule", "notes", "reference", "response", "relapse")
_REFERENCE = ("citation", "doi", "pmid", "url", "note")
_RESPONSE = (
    "complete_max",
    "baseline_min",
    "assessment_week",
    "assessment_rule",
    "assessment_window_days",
    "minimal",
    "partial",
)
_LEVEL = ("points", "percent", "combine")
_RELAPSE = ("after", "min_score", "min_rise", "setting")
_FLARE_RULES = ("sfi", "cortes2012")


class _Checker:
    """Collects problems while reading one preset document."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str, value: Any, message: str, allowed: str | None = None) -> None:
        self.problems.append(Problem(key, value, message, allowed, file=self.file))

    def table(self, doc: Mapping[str, Any], key: str, known: tuple[str, ...]) -> dict[str, Any]:
        value = doc.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(key, value, "must be a table", f"a [{key}] table")
            return {}
        self.unknown(value, known, key)
        return dict(value)

    def unknown(self, doc: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
        for k in doc:
            if k not in known:
                name = f"{prefix}.{k}" if prefix else k
                self.add(name, None, "unknown key", ", ".join(known))

    def text(self, doc: Mapping[str, Any], key: str, path: str, *, required: bool) -> str | None:
        value = doc.get(key)
        if value is None:
            if required:
                self.add(path, None, "is missing", "a text value")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(path, value, "must be non-empty text", "a text value")
            return None
        return value

    def number(
        self, doc: Mapping[str, Any], key: str, path: str, lo: float, hi: float
    ) -> float | None:
        value = doc.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            self.add(path, value, "out of range", f"a number from {lo:g} to {hi:g}")
            return None
        return float(value)

    def choice(self, doc: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...]) -> str:
        value = doc.get(key, allowed[0])
        if value not in allowed:
            self.add(path, value, "not an allowed value", ", ".join(allowed))
            return allowed[0]
        return cast(str, value)


def _level(check: _Checker, response: Mapping[str, Any], key: str) -> LevelRule | None:
    if key not in response:
        return None
    path = f"response.{key}"
    if not isinstance(response[key], Mapping):
        check.add(path, response[key], "must be a table", f"a [{path}] table")
        return None
    doc = check.table(response, key, _LEVEL)
    if "points" not in doc and "percent" not in doc:
        check.add(path, None, "needs points, percent or both", "points = N and/or percent = N")
    points = check.number(doc, "points", f"{path}.points", 0.5, ACTIVITY_MAX)
    percent = check.number(doc, "percent", f"{path}.percent", 1, 100)
    combine = cast(Combine, check.choice(doc, "combine", f"{path}.combine", COMBINE_MODES))
    return LevelRule(points=points, percent=percent, combine=combine)


def _response(check: _Checker, doc: Mapping[str, Any]) -> ResponseRule:
    if "response" not in doc:
        check.add("response", None, "is missing", "a [response] table")
    r = check.table(doc, "response", _RESPONSE)
    week = r.get("assessment_week")
    if week is not None and (isinstance(week, bool) or not isinstance(week, int) or week < 1):
        check.add("response.assessment_week", week, "must be a whole week", "1 or more")
        week = None
    window = r.get("assessment_window_days", 14)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 365:
        check.add("response.assessment_window_days", window, "out of range", "0 to 365 days")
        window = 14
    rule = ResponseRule(
        minimal=_level(check, r, "minimal"),
        partial=_level(check, r, "partial"),
        complete_max=check.number(r, "complete_max", "response.complete_max", 0, ACTIVITY_MAX),
        baseline_min=check.number(r, "baseline_min", "response.baseline_min", 0, ACTIVITY_MAX),
        assessment_week=week,
        assessment_rule=cast(
            AssessmentRule,
            check.choice(r, "assessment_rule", "response.assessment_rule", ASSESSMENT_RULES),
        ),
        assessment_window_days=window,
    )
    if r and not rule.levels:
        check.add("response", None, "defines no level", "minimal, partial and/or complete_max")
    return rule


def _relapse(check: _Checker, doc: Mapping[str, Any], response: ResponseRule) -> RelapseRule | None:
    if "relapse" not in doc:
        return None
    r = check.table(doc, "relapse", _RELAPSE)
    after = cast(LevelName, check.choice(r, "after", "relapse.after", LEVEL_NAMES[::-1]))
    if after not in response.levels and response.levels:
        check.add(
            "relapse.after",
            after,
            "names a level the response does not define",
            ", ".join(response.levels),
        )
    rule = RelapseRule(
        after=after,
        min_score=check.number(r, "min_score", "relapse.min_score", 0, ACTIVITY_MAX),
        min_rise=check.number(r, "min_rise", "relapse.min_rise", 0.5, ACTIVITY_MAX),
        setting=cast(
            RelapseSetting, check.choice(r, "setting", "relapse.setting", RELAPSE_SETTINGS)
        ),
    )
    if rule.min_score is None and rule.min_rise is None:
        check.add(
            "relapse", None, "needs min_score, min_rise or both", "min_score = N, min_rise = N"
        )
    return rule


def parse(doc: Mapping[str, Any], *, file: str | None = None) -> Preset:
    """Build a :class:`Preset` from a parsed TOML document, checking every key.

    Raises
    ------
    InputError
        Listing every unknown, missing or out-of-range key.

    Examples
    --------
    >>> p = parse({"name": "mine", "version": "1", "title": "My rule",
    ...            "reference": {"citation": "Local protocol 2024"},
    ...            "response": {"partial": {"percent": 50}}})
    >>> p.label, p.response.levels
    ('mine@1', ('partial',))
    """
    check = _Checker(file)
    check.unknown(doc, _TOP, "")
    name = check.text(doc, "name", "name", required=True)
    if name is not None and not _NAME_RE.match(name):
        check.add("name", name, "not a valid preset name", "lower-case letters, digits, _")
    version = doc.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    version = check.text({"version": version}, "version", "version", required=True)
    title = check.text(doc, "title", "title", required=True)
    ref = check.table(doc, "reference", _REFERENCE)
    if "reference" not in doc:
        check.add("reference", None, "is missing", "a [reference] table with a citation")
    citation = check.text(ref, "citation", "reference.citation", required="reference" in doc)
    extras = {k: check.text(ref, k, f"reference.{k}", required=False) for k in _REFERENCE[1:]}
    flare = doc.get("flare_rule")
    if flare is not None and flare not in _FLARE_RULES:
        check.add("flare_rule", flare, "not a known flare rule", ", ".join(_FLARE_RULES))
        flare = None
    notes = check.text(doc, "notes", "notes", required=False) or ""
    response = _response(check, doc)
    relapse = _relapse(check, doc, response)
    if check.problems:
        raise InputError(check.problems)
    return Preset(
        name=cast(str, name),
        version=cast(str, version),
        title=cast(str, title),
        reference=Reference(citation=cast(str, citation), **extras),
        response=response,
        relapse=relapse,
        flare_rule=flare,
        notes=notes,
    )


def load(path: str | Path) -> Preset:
    """Read a user-written preset from a TOML file.

    Raises
    ------
    InputError
        If the file is missing, is not valid TOML or has a bad key (all problems listed).
    """
    p = Path(path)
    doc = read_toml(p)
    return parse(doc, file=p.name)


def _bundled(name: str) -> Preset:
    source = resources.files("clears").joinpath("data", "criteria", f"{name}.toml")
    return parse(tomllib.loads(source.read_text(encoding="utf-8")), file=f"{name}.toml")


class _BundledPresets(Mapping[str, Preset]):
    """The bundled presets, read from package data on first use (not at import)."""

    def __init__(self) -> None:
        self._cache: dict[str, Preset] = {}

    def __getitem__(self, name: str) -> Preset:
        if name not in BUNDLED:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = _bundled(name)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(BUNDLED)

    def __len__(self) -> int:
        return len(BUNDLED)

    def __repr__(self) -> str:
        return f"PRESETS({', '.join(BUNDLED)})"


#: The bundled presets by name, loaded lazily.
PRESETS: Mapping[str, Preset] = _BundledPresets()


def get(name: str) -> Preset:
    """Return a bundled preset by name.

    Raises
    ------
    NotFoundError
        For an unknown name; the message lists the bundled presets.

    Examples
    --------
    >>> get("cortes2012").response.assessment_week
    12
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise NotFoundError(
            f"unknown criteria preset {name!r}; bundled presets: {', '.join(BUNDLED)}"
            " (or give a path to a .toml preset file)"
        ) from None


def resolve(preset: str | Path | Preset) -> Preset:
    """Return a preset given as itself, a bundled name, or a path to a TOML preset file.

    A string ending in ``.toml`` or naming an existing file is read with :func:`load`;
    any other string is looked up with :func:`get`.

    Examples
    --------
    >>> resolve("clasi50").name
    'clasi50'
    >>> resolve(get("klein2011")) is get("klein2011")
    True
    """
    if isinstance(preset, Preset):
        return preset
    text = str(preset)
    if isinstance(preset, Path) or text.endswith(".toml") or Path(text).is_file():
        return load(text)
    return get(text)
