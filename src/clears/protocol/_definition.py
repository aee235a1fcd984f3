"""Protocol definitions as data, and their parser.

A protocol is a TOML (or YAML) document: the regimens it uses, the criteria preset that
defines response and relapse (``[response] criteria = "cortes2012"``, read from
:mod:`clears.criteria`, never restated), its timing (evaluation day, taper interval), an
ordered rule table and its reference. The dose engine (:mod:`clears.protocol._dose`) reads
only this data; adding a protocol needs no code. The document format is described in
``docs/protocol.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from clears._exceptions import ClearsError, InputError, Problem
from clears.criteria import Preset, resolve
from clears.instruments import Reference
from clears.protocol._thresholds import Thresholds, default_thresholds, parse_thresholds

__all__ = [
    "ACTIONS",
    "PHASES",
    "STATUSES",
    "TARGET_TOKENS",
    "ProtocolDefinition",
    "Regimen",
    "Rule",
    "parse_protocol",
]

#: Dose actions an advice can carry (issue 8). ``review``: see the patient before any dose
#: decision (the data the advice needs are too old; issue 12, hazard 8).
ACTIONS: Final = (
    "start",
    "continue",
    "increase",
    "decrease",
    "taper",
    "hold",
    "stop",
    "restart",
    "review",
)
#: Where the patient stands in the protocol (computed by the dose engine).
PHASES: Final = ("not_started", "induction", "evaluated", "withdrawn", "stopped")
#: Response statuses against baseline CLASI-A (computed by ``_response``).
STATUSES: Final = ("complete", "partial", "minimal", "improved", "none", "unknown")
#: Rule targets that are resolved by the engine instead of naming a regimen.
TARGET_TOKENS: Final = (
    "@current",
    "@start",
    "@restart",
    "@taper_next",
    "@step_up",
    "@withdraw",
)


@dataclass(frozen=True, slots=True)
class Regimen:
    """A named regimen: ``mg`` per dose, ``doses_per_week`` doses a week."""

    id: str
    label: str
    mg: float
    doses_per_week: float

    @property
    def mg_per_day(self) -> float:
        """Average daily dose, ``mg * doses_per_week / 7``."""
        return self.mg * self.doses_per_week / 7.0


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a protocol's rule table; conditions left None always match."""

    id: str
    action: str
    target: str
    explanation: str
    phase: tuple[str, ...] | None = None
    status: tuple[str, ...] | None = None
    regimen: tuple[str, ...] | None = None
    relapse: bool | None = None
    min_days_on_regimen: int | None = None
    review: bool = False


@dataclass(frozen=True, slots=True)
class ProtocolDefinition:
    """A declarative dosing protocol (see ``docs/protocol.md`` for the file format)."""

    name: str
    title: str
    version: str
    drug: str
    reference: Reference
    regimens: Mapping[str, Regimen]
    response: Preset
    start: str
    restart: str
    taper_ladder: tuple[str, ...]
    evaluation_days: int
    taper_interval_days: int
    max_mg_per_day: float
    rules: tuple[Rule, ...]
    visit_interval_days: tuple[int, int, int]
    blood_count_interval_days: tuple[int, int, int]
    #: Days a visit may be late before advice stops saying CONTINUE and asks to see the
    #: patient (``[monitoring] visit_grace_days``; issue 12, hazard 8).
    visit_grace_days: int = 14
    #: Blood-count START/hold limits and stopping rules (``[thresholds]``, ``_thresholds``).
    thresholds: Thresholds = field(default_factory=default_thresholds)

    def regimen(self, regimen_id: str) -> Regimen:
        """Return a regimen by id."""
        return self.regimens[regimen_id]


_TOP_KEYS: Final = (
    "name",
    "title",
    "version",
    "drug",
    "max_mg_per_day",
    "reference",
    "regimens",
    "response",
    "schedule",
    "monitoring",
    "rules",
    "thresholds",
)
_RULE_KEYS: Final = (
    "id",
    "action",
    "to",
    "explanation",
    "phase",
    "status",
    "regimen",
    "relapse",
    "min_days_on_regimen",
    "review",
)


class _Reader:
    """Collects problems while reading a protocol mapping."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, path: str, value: object, message: str, allowed: str | None = None) -> None:
        self.problems.append(Problem(path, value, message, allowed, self.source))

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            self.bad(key, value, "must be a table", "a TOML table / YAML mapping")
            return {}
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.bad(path, value, "must be a non-empty string")
            return ""
        return value

    def num(
        self, data: Mapping[str, Any], key: str, path: str, default: float | None = None
    ) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.bad(path, value, "must be a number ≥ 0")
            return None
        return float(value)

    def names(self, value: object, path: str, allowed: Sequence[str]) -> tuple[str, ...] | None:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.bad(path, value, "must be a string or a list of strings", ", ".join(allowed))
            return None
        for item in items:
            if item not in allowed:
                self.bad(path, item, "unknown value", ", ".join(allowed))
        return tuple(items)

    def unknown(self, data: Mapping[str, Any], known: Sequence[str], path: str) -> None:
        for key in data:
            if key not in known:
                self.bad(f"{path}{key}", None, "unknown key", ", ".join(known))


def _intervals(
    reader: _Reader, data: Mapping[str, Any], key: str, default: Sequence[int]
) -> tuple[int, int, int]:
    value = data.get(key, list(default))
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        reader.bad(
            f"monitoring.{key}",
            value,
            "must be three positive whole numbers of days",
            "[early_interval, early_phase_days, late_interval]",
        )
        return (default[0], default[1], default[2])
    return (value[0], value[1], value[2])


#: Keys a protocol's ``[response]`` table held before it named a criteria preset.
_RESTATED_RESPONSE_KEYS: Final = (
    "complete_at_most",
    "partial_fraction",
    "minimal_points",
    "minimal_fraction",
    "relapse_at_least",
)


def _response(reader: _Reader, table: Mapping[str, Any]) -> Preset | None:
    """The criteria preset the ``[response]`` table names (``criteria = "cortes2012"``).

    A protocol refers to one published definition instead of restating it (issue 12, hazard
    11): thresholds written into the protocol are refused with a pointer to the preset.
    """
    for key in table:
        if key in _RESTATED_RESPONSE_KEYS:
            reader.bad(
                f"response.{key}",
                table[key],
                "a protocol names a criteria preset instead of restating its thresholds",
                'criteria = "<preset>" (clears.criteria.BUNDLED or a preset .toml file)',
            )
    reader.unknown(
        {k: v for k, v in table.items() if k not in _RESTATED_RESPONSE_KEYS},
        ("criteria",),
        "response.",
    )
    name = table.get("criteria")
    if not isinstance(name, str) or not name.strip():
        reader.bad(
            "response.criteria",
            name,
            "must name the criteria preset that defines response",
            "a bundled preset (clears.criteria.BUNDLED) or a path to a preset .toml file",
        )
        return None
    try:
        return resolve(name)
    except ClearsError as exc:
        reader.bad("response.criteria", name, f"cannot be read: {exc}")
        return None


def parse_protocol(data: Mapping[str, Any], *, source: str = "protocol") -> ProtocolDefinition:
    """Build a :class:`ProtocolDefinition` from a parsed TOML/YAML mapping.

    Raises
    ------
    InputError
        Listing every problem: unknown keys, missing tables, rules naming unknown regimens,
        phases, statuses or actions, and doses above ``max_mg_per_day``.
    """
    r = _Reader(source)
    r.unknown(data, _TOP_KEYS, "")
    ref = r.table(data, "reference")
    reference = Reference(
        citation=r.text(ref, "citation", "reference.citation"),
        doi=ref.get("doi"),
        pmid=ref.get("pmid"),
        url=ref.get("url"),
        note=ref.get("note"),
    )
    max_mg = r.num(data, "max_mg_per_day", "max_mg_per_day", 10.0) or 0.0
    regimens: dict[str, Regimen] = {}
    for rid, spec in r.table(data, "regimens").items():
        if not isinstance(spec, Mapping):
            r.bad(f"regimens.{rid}", spec, "must be a table with label, mg, doses_per_week")
            continue
        r.unknown(spec, ("label", "mg", "doses_per_week"), f"regimens.{rid}.")
        mg = r.num(spec, "mg", f"regimens.{rid}.mg")
        per_week = r.num(spec, "doses_per_week", f"regimens.{rid}.doses_per_week")
        label = r.text(spec, "label", f"regimens.{rid}.label")
        if mg is None or per_week is None:
            continue
        regimen = Regimen(str(rid), label, mg, per_week)
        if regimen.mg_per_day > max_mg + 1e-9:
            r.bad(
                f"regimens.{rid}",
                regimen.mg_per_day,
                "exceeds max_mg_per_day",
                f"at most {max_mg:g} mg/day",
            )
        regimens[str(rid)] = regimen
    ids = tuple(regimens)
    response = _response(r, r.table(data, "response"))
    sched = r.table(data, "schedule")
    r.unknown(
        sched,
        ("start", "restart", "taper_ladder", "evaluation_days", "taper_interval_days"),
        "schedule.",
    )
    start = (r.names(sched.get("start"), "schedule.start", ids) or ("",))[0]
    restart = (r.names(sched.get("restart", start), "schedule.restart", ids) or ("",))[0]
    ladder = r.names(sched.get("taper_ladder", []), "schedule.taper_ladder", ids) or ()
    if len(ladder) > 1 and any(
        regimens[a].mg_per_day <= regimens[b].mg_per_day
        for a, b in itertools.pairwise(ladder)
        if a in regimens and b in regimens
    ):
        r.bad("schedule.taper_ladder", list(ladder), "must go from the highest to the lowest dose")
    evaluation = r.num(sched, "evaluation_days", "schedule.evaluation_days", 28.0) or 0.0
    taper = r.num(sched, "taper_interval_days", "schedule.taper_interval_days", 28.0) or 0.0
    mon = data.get("monitoring", {})
    if not isinstance(mon, Mapping):
        r.bad("monitoring", mon, "must be a table")
        mon = {}
    r.unknown(
        mon, ("visit_interval_days", "blood_count_interval_days", "visit_grace_days"), "monitoring."
    )
    grace = mon.get("visit_grace_days", 14)
    if not isinstance(grace, int) or isinstance(grace, bool) or grace < 0:
        r.bad("monitoring.visit_grace_days", grace, "must be a whole number of days ≥ 0")
        grace = 14
    rules: list[Rule] = []
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        r.bad("rules", raw_rules, "must be a non-empty array of tables")
        raw_rules = []
    seen: set[str] = set()
    for i, spec in enumerate(raw_rules):
        path = f"rules[{i}]"
        if not isinstance(spec, Mapping):
            r.bad(path, spec, "must be a table")
            continue
        r.unknown(spec, _RULE_KEYS, f"{path}.")
        rule_id = r.text(spec, "id", f"{path}.id")
        if rule_id in seen:
            r.bad(f"{path}.id", rule_id, "duplicate rule id")
        seen.add(rule_id)
        action = r.names(spec.get("action"), f"{path}.action", ACTIONS) or ("continue",)
        target = r.names(spec.get("to", "@current"), f"{path}.to", (*ids, *TARGET_TOKENS))
        relapse = spec.get("relapse")
        if relapse is not None and not isinstance(relapse, bool):
            r.bad(f"{path}.relapse", relapse, "must be true or false")
            relapse = None
        days = spec.get("min_days_on_regimen")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
            r.bad(f"{path}.min_days_on_regimen", days, "must be a whole number ≥ 0")
            days = None
        rules.append(
            Rule(
                id=rule_id,
                action=action[0],
                target=(target or ("@current",))[0],
                explanation=r.text(spec, "explanation", f"{path}.explanation"),
                phase=r.names(spec.get("phase"), f"{path}.phase", PHASES),
                status=r.names(spec.get("status"), f"{path}.status", STATUSES),
                regimen=r.names(spec.get("regimen"), f"{path}.regimen", (*ids, "custom")),
                relapse=relapse,
                min_days_on_regimen=days,
                review=bool(spec.get("review", False)),
            )
        )
    thresholds, threshold_problems = parse_thresholds(
        data.get("thresholds"), {k: v.mg_per_day for k, v in regimens.items()}, source=source
    )
    r.problems.extend(threshold_problems)
    definition = ProtocolDefinition(
        name=r.text(data, "name", "name"),
        title=r.text(data, "title", "title"),
        version=str(data.get("version", "1")),
        drug=r.text(data, "drug", "drug", "lenalidomide"),
        reference=reference,
        regimens=regimens,
        response=cast(Preset, response),  # None only with a problem, raised below
        start=start,
        restart=restart,
        taper_ladder=ladder,
        evaluation_days=int(evaluation),
        taper_interval_days=int(taper),
        max_mg_per_day=max_mg,
        rules=tuple(rules),
        visit_interval_days=_intervals(r, mon, "visit_interval_days", (28, 182, 91)),
        blood_count_interval_days=_intervals(r, mon, "blood_count_interval_days", (7, 56, 28)),
        visit_grace_days=grace,
        thresholds=thresholds,
    )
    if r.problems:
        raise InputError(r.problems)
    return definition
