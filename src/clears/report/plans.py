"""Statistical analysis plans: which sections a report has, in which order, with what options.

A plan is a TOML file (format in ``docs/report.md``, "Analysis plans"): a title, the criteria
presets, named populations and an ordered list of ``[[sections]]``, each naming a section
kind of :data:`KINDS` with its options and a caption. Every key is checked, as for criteria
presets (:mod:`clears.criteria`): an unknown key, an unknown section kind, population, test
or preset gives an :class:`~clears.InputError` listing every problem, each naming the key
and the allowed values.

The bundled plans are in ``clears/data/plans``: ``default`` (the report as ``clears
report`` builds it without ``--plan``) and ``aitmehdi2021`` (the analyses of Aitmehdi 2021,
in the letter's order).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

from clears._exceptions import InputError, NotFoundError
from clears._toml_input import read_toml
from clears.criteria._load import _Checker

__all__ = [
    "BUNDLED_PLANS",
    "BY_COLUMNS",
    "KINDS",
    "POPULATIONS",
    "REPEATABLE",
    "Plan",
    "PlanSection",
    "get_plan",
    "load_plan",
    "parse_plan",
    "resolve_plan",
]

#: Names of the plans shipped with clears (files ``clears/data/plans/<name>.toml``).
BUNDLED_PLANS: Final = ("aitmehdi2021", "cortes2012", "default")

#: The patients a population keeps: ``all`` (every treated patient), ``evaluable`` (evaluable
#: for response under the preset), ``sle`` (SLE at the first dose), ``isolated_cle`` (no SLE
#: at the first dose).
POPULATIONS: Final = ("all", "evaluable", "sle", "isolated_cle")

_COMMON: Final = ("kind", "caption", "population")


@dataclass(frozen=True)
class _Kind:
    """A section kind: its progress step, its default heading, its options and their values."""

    step: str
    title: str
    options: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()


#: Section kinds a plan may name: progress step, default heading, options, tests allowed.
KINDS: Final[Mapping[str, _Kind]] = {
    "cohort": _Kind("patients", "Patients"),
    "response": _Kind("response", "Response"),
    "timecourse": _Kind("CLASI over time", "CLASI over time", ("weeks", "window_weeks")),
    "time_to_event": _Kind("time to event", "Time to response and relapse"),
    "swimmer": _Kind("treatment courses", "Treatment courses", ("max_patients",)),
    "safety": _Kind("safety", "Safety"),
    "response_by_severity": _Kind(
        "response by severity",
        "Response by baseline severity",
        ("criteria", "test", "versus"),
        ("fisher",),
    ),
    "complete_response_by": _Kind(
        "complete response by subgroup",
        "Time to complete response by subgroup",
        ("criteria", "test", "by", "versus"),
        ("logrank",),
    ),
    "sledai_by_flare": _Kind(
        "SLEDAI by SLE flare",
        "Baseline SLEDAI and SLE flares",
        ("criteria", "test", "score"),
        ("mann_whitney",),
    ),
    "score_change": _Kind(
        "baseline vs later",
        "Baseline vs later",
        ("criteria", "measures", "at", "tests", "window_weeks"),
    ),
    "per_patient": _Kind("per patient", "Patients one by one", ("criteria",)),
}

#: The baseline SLEDAI a ``sledai_by_flare`` section compares: the visits' SLEDAI-2K total
#: or SELENA-SLEDAI scored from the descriptors.
SCORES: Final = ("sledai_2k", "selena")
_SEVERITY: Final = ("mild", "moderate", "severe")
#: The columns a ``complete_response_by`` section may split the patients by (``patients``
#: columns of docs/cohort-tables.md, and the derived baseline severity band).
BY_COLUMNS: Final = (
    "smoking", "sle", "sex", "baseline_severity", "aps", "cv_risk", "prior_thalidomide"
)  # fmt: skip
#: Section kinds a plan may name more than once (each with its own options).
REPEATABLE: Final = ("score_change",)
_TOP: Final = ("name", "title", "reference", "criteria", "populations", "sections")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class PlanSection:
    """One section of a plan.

    Attributes
    ----------
    kind
        A key of :data:`KINDS`.
    caption
        Printed under the section heading (empty: none).
    population
        A name of the plan's populations (``all`` always exists).
    options
        The kind's options as given (``criteria``, ``test``, ``max_patients``...).
    """

    kind: str
    caption: str = ""
    population: str = "all"
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def step(self) -> str:
        """The progress step this section reports."""
        return KINDS[self.kind].step


@dataclass(frozen=True)
class Plan:
    """A statistical analysis plan: the sections of a report, in order.

    Attributes
    ----------
    name
        Short name (lower-case letters, digits, ``_``).
    title
        Document title; empty: the report's default title.
    reference
        The study whose analyses the plan reproduces (empty: none), printed with the facts.
    criteria
        Preset names or ``.toml`` preset files (a relative file is relative to the plan).
    populations
        Population name -> one of :data:`POPULATIONS`.
    sections
        The sections, in order.
    """

    name: str
    sections: tuple[PlanSection, ...]
    title: str = ""
    reference: str = ""
    criteria: tuple[str, ...] = ("aitmehdi2021", "cortes2012")
    populations: Mapping[str, str] = field(default_factory=lambda: {"all": "all"})

    def steps(self) -> tuple[str, ...]:
        """The progress steps of a report built from this plan, in order."""
        return ("outcomes", *(s.step for s in self.sections))


def _criteria(check: _Checker, doc: Mapping[str, Any], base: Path | None) -> tuple[str, ...]:
    from clears.criteria import BUNDLED

    value = doc.get("criteria", ["aitmehdi2021", "cortes2012"])
    allowed = ", ".join(BUNDLED) + " or a .toml preset file"
    if not isinstance(value, list) or not value:
        check.add("criteria", value, "must be a non-empty list", allowed)
        return ()
    names: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.endswith(".toml"):
            path = Path(item) if base is None or Path(item).is_absolute() else base / item
            names.append(str(path))
        elif isinstance(item, str) and item in BUNDLED:
            names.append(item)
        else:
            check.add(f"criteria[{i}]", item, "not a bundled criteria preset", allowed)
    return tuple(names)


def _preset_name(entry: str) -> str:
    return Path(entry).stem if entry.endswith(".toml") else entry


def _populations(check: _Checker, doc: Mapping[str, Any]) -> dict[str, str]:
    value = doc.get("populations", {})
    found = {"all": "all"}
    if not isinstance(value, Mapping):
        check.add("populations", value, "must be a table", "[populations] name = population")
        return found
    for name, base in value.items():
        if not _NAME_RE.match(name):
            check.add(f"populations.{name}", None, "not a valid population name",
                      "lower-case letters, digits, _")  # fmt: skip
        elif base not in POPULATIONS:
            check.add(f"populations.{name}", base, "not a known population", ", ".join(POPULATIONS))
        else:
            found[name] = str(base)
    return found


def _section(
    check: _Checker,
    i: int,
    doc: Any,
    populations: Mapping[str, str],
    presets: tuple[str, ...],
) -> PlanSection | None:
    path = f"sections[{i}]"
    if not isinstance(doc, Mapping):
        check.add(path, doc, "must be a table", "a [[sections]] table")
        return None
    kind = str(doc.get("kind"))
    if kind not in KINDS:
        check.add(f"{path}.kind", doc.get("kind"), "not a known section kind", ", ".join(KINDS))
        return None
    spec = KINDS[kind]
    check.unknown(doc, (*_COMMON, *spec.options), path)
    caption = check.text(doc, "caption", f"{path}.caption", required=False) or ""
    population = doc.get("population", "all")
    if population not in populations:
        check.add(f"{path}.population", population, "not a population of the plan",
                  ", ".join(populations))  # fmt: skip
        population = "all"
    options: dict[str, Any] = {}
    if "criteria" in doc:
        names = tuple(_preset_name(p) for p in presets)
        if doc["criteria"] not in names:
            check.add(f"{path}.criteria", doc["criteria"], "not a preset of the plan's criteria",
                      ", ".join(names))  # fmt: skip
        else:
            options["criteria"] = doc["criteria"]
    if spec.tests:
        test = doc.get("test", spec.tests[0])
        if test not in spec.tests:
            check.add(
                f"{path}.test", test, f"not a test of a {kind} section", ", ".join(spec.tests)
            )
        else:
            options["test"] = test
    if "max_patients" in doc:
        n = doc["max_patients"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
            check.add(f"{path}.max_patients", n, "out of range", "a whole number from 1 to 1000")
        else:
            options["max_patients"] = n
    if kind == "complete_response_by":
        by = doc.get("by")
        if by not in BY_COLUMNS:
            check.add(f"{path}.by", by, "not a grouping column", ", ".join(BY_COLUMNS))
        else:
            options["by"] = by
        versus = doc.get("versus")
        if versus is not None and not isinstance(versus, str | int | bool):
            check.add(f"{path}.versus", versus, "must be one level of the column", "a value")
        elif versus is not None:
            options["versus"] = versus
    elif "versus" in doc:
        versus = doc["versus"]
        if versus not in _SEVERITY:
            check.add(f"{path}.versus", versus, "not a severity band", ", ".join(_SEVERITY))
        else:
            options["versus"] = versus
    _change_options(check, path, doc, options)
    if "score" in doc:
        if doc["score"] not in SCORES:
            check.add(f"{path}.score", doc["score"], "not a baseline score", ", ".join(SCORES))
        else:
            options["score"] = doc["score"]
    return PlanSection(kind, caption, str(population), options)


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    )


def _change_options(
    check: _Checker, path: str, doc: Mapping[str, Any], options: dict[str, Any]
) -> None:
    """The options of ``timecourse`` and ``score_change`` sections (weeks, measures, tests)."""
    from clears.report._change_sections import CHANGE_TESTS, MEASURES

    if "weeks" in doc:
        weeks = doc["weeks"]
        if (
            not _numbers(weeks)
            or not weeks
            or weeks[0] != 0
            or any(b <= a for a, b in itertools.pairwise(weeks))
        ):
            check.add(f"{path}.weeks", weeks, "not increasing weeks from 0", "e.g. [0, 2, 4, 12]")
        else:
            options["weeks"] = tuple(float(w) for w in weeks)
    if "window_weeks" in doc:
        window = doc["window_weeks"]
        if isinstance(window, bool) or not isinstance(window, int | float) or not 0 < window <= 26:
            check.add(f"{path}.window_weeks", window, "out of range", "a number of weeks, 0 to 26")
        else:
            options["window_weeks"] = float(window)
    if "measures" in doc:
        measures = doc["measures"]
        if not isinstance(measures, list) or not measures:
            check.add(f"{path}.measures", measures, "must be a non-empty list", ", ".join(MEASURES))
        else:
            for measure in measures:
                if measure not in MEASURES:
                    check.add(f"{path}.measures", measure, "not a measure", ", ".join(MEASURES))
            options["measures"] = tuple(m for m in measures if m in MEASURES)
    if "at" in doc:
        at = doc["at"]
        number = isinstance(at, int | float) and not isinstance(at, bool)
        if not (at == "end" or (number and 0 < at <= 520)):
            check.add(f"{path}.at", at, "not a later time", 'weeks after the first dose, or "end"')
        else:
            options["at"] = at if at == "end" else float(at)
    if "tests" in doc:
        tests = doc["tests"]
        if not isinstance(tests, list) or not tests:
            check.add(f"{path}.tests", tests, "must be a non-empty list", ", ".join(CHANGE_TESTS))
        else:
            for test in tests:
                if test not in CHANGE_TESTS:
                    check.add(f"{path}.tests", test, "not a test", ", ".join(CHANGE_TESTS))
            options["tests"] = tuple(t for t in tests if t in CHANGE_TESTS)


def parse_plan(
    doc: Mapping[str, Any], *, file: str | None = None, base: Path | None = None
) -> Plan:
    """Build a :class:`Plan` from a parsed TOML document, checking every key.

    ``base`` is the folder relative ``.toml`` criteria files are read from.

    Raises
    ------
    InputError
        Listing every unknown, missing or not allowed key, with the allowed values.

    Examples
    --------
    >>> plan = parse_plan({"name": "mine", "sections": [{"kind": "response"}]})
    >>> [s.kind for s in plan.sections], plan.criteria
    (['response'], ('aitmehdi2021', 'cortes2012'))
    """
    check = _Checker(file)
    check.unknown(doc, _TOP, "")
    name = check.text(doc, "name", "name", required=True) or ""
    if name and not _NAME_RE.match(name):
        check.add("name", name, "not a valid plan name", "lower-case letters, digits, _")
    title = check.text(doc, "title", "title", required=False) or ""
    reference = check.text(doc, "reference", "reference", required=False) or ""
    criteria = _criteria(check, doc, base)
    populations = _populations(check, doc)
    raw = doc.get("sections")
    sections: list[PlanSection] = []
    if not isinstance(raw, list) or not raw:
        check.add("sections", raw, "must be a non-empty list of tables",
                  "[[sections]] tables, each with kind = " + ", ".join(KINDS))  # fmt: skip
        raw = []
    for i, item in enumerate(raw):
        made = _section(check, i, item, populations, criteria)
        if made is None:
            continue
        if made.kind not in REPEATABLE and any(s.kind == made.kind for s in sections):
            unused = ", ".join(k for k in KINDS if all(s.kind != k for s in sections))
            check.add(f"sections[{i}].kind", made.kind, "appears twice; each kind once", unused)
        sections.append(made)
    if check.problems:
        raise InputError(check.problems)
    return Plan(
        name=name,
        sections=tuple(sections),
        title=title,
        reference=reference,
        criteria=criteria,
        populations=populations,
    )


def load_plan(path: str | Path) -> Plan:
    """Read a user-written plan from a TOML file.

    Raises
    ------
    InputError
        If the file is missing, is not valid TOML or has a bad key (all problems listed).
    """
    p = Path(path)
    doc = read_toml(p)
    return parse_plan(doc, file=p.name, base=p.parent)


def get_plan(name: str) -> Plan:
    """Return a bundled plan by name.

    Raises
    ------
    NotFoundError
        For an unknown name; the message lists the bundled plans.

    Examples
    --------
    >>> [s.kind for s in get_plan("default").sections][:2]
    ['cohort', 'response']
    """
    if name not in BUNDLED_PLANS:
        raise NotFoundError(
            f"unknown analysis plan {name!r}; bundled plans: {', '.join(BUNDLED_PLANS)}"
            " (or give a path to a .toml plan file)"
        )
    source = resources.files("clears").joinpath("data", "plans", f"{name}.toml")
    return parse_plan(tomllib.loads(source.read_text(encoding="utf-8")), file=f"{name}.toml")


def resolve_plan(plan: str | Path | Plan) -> Plan:
    """Return a plan given as itself, a bundled name, or a path to a TOML plan file.

    Examples
    --------
    >>> resolve_plan("aitmehdi2021").name
    'aitmehdi2021'
    """
    if isinstance(plan, Plan):
        return plan
    if isinstance(plan, str) and plan in BUNDLED_PLANS:
        return get_plan(plan)
    path = Path(plan)
    if path.suffix == ".toml" or path.is_file():
        return load_plan(path)
    return get_plan(str(plan))  # not bundled: the error lists the bundled plans
