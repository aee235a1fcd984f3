"""Data-quality rules as declared data: the rule type and the checked TOML loader."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from clears._exceptions import InputError, Problem
from clears.cohort import SCHEMA

__all__ = ["KINDS", "SEVERITIES", "Rule", "bundled_rules", "load_rules", "merge_rules"]

SEVERITIES = ("error", "warning")
KINDS = ("range", "required_when", "conflict", "visit_after_treatment", "without_nearby")

_KEYS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required keys, optional keys) beyond id/title/severity/kind/table/message/source
    "range": ({"field", "min", "max"}, {"unit", "when_field", "when_equals"}),
    "required_when": (
        {"field", "when_field"},
        {"when_table", "when_equals", "when_min", "not_recorded"},
    ),
    "conflict": ({"field", "field_equals", "other_fields", "others_all_equal"}, set()),
    "visit_after_treatment": ({"months"}, set()),
    "without_nearby": (
        {"field", "date_field", "other_table", "other_date_fields", "days_before", "days_after"},
        {"below", "above", "equals_any", "other_field", "other_equals_any"},
    ),
}
#: The keys of which a ``without_nearby`` rule gives exactly one: its row condition.
_CONDITIONS = ("below", "above", "equals_any")
_COMMON = {"id", "title", "severity", "kind", "table", "message", "source"}


@dataclass(frozen=True)
class Rule:
    """One data-quality rule, as declared in a rules file.

    Attributes
    ----------
    id, title, severity, kind, table, message, source
        What every rule declares; ``message`` is a template over ``{value}``, ``{min}``,
        ``{max}``, ``{months}`` and ``{when_value}``.
    params
        The kind's own settings (``field``, ``min``, ``max``, ``when_field``, ...).
    """

    id: str
    title: str
    severity: str
    kind: str
    table: str
    message: str
    source: str
    params: Mapping[str, Any]

    def columns(self) -> dict[str, set[str]]:
        """The optional columns this rule reads, per table (for a narrow registry read)."""
        p = self.params
        need: dict[str, set[str]] = {self.table: set()}
        for key in ("field", "when_field"):
            if key in p:
                table = p.get("when_table", self.table) if key == "when_field" else self.table
                need.setdefault(table, set()).add(p[key])
        for name in p.get("other_fields", ()):
            need[self.table].add(name)
        if self.kind == "visit_after_treatment":
            need.setdefault("treatments", set()).update({"end_date", "end_reason"})
        if self.kind == "without_nearby":
            need[self.table].add(p["date_field"])
            other = need.setdefault(p["other_table"], set())
            other.update(p["other_date_fields"])
            if "other_field" in p:
                other.add(p["other_field"])
        return need


def _p(where: str, field: str, value: object, allowed: str) -> Problem:
    return Problem(field, value, "is not allowed", allowed, where)


def _allowed_columns(table: str) -> set[str]:
    from clears.instruments.clasi import DEFINITION as CLASI
    from clears.instruments.sledai import DEFINITION as SLEDAI

    # visits also hold the item columns of both instruments (docs/cohort-tables.md).
    names = {column.name for column in SCHEMA[table]}
    if table == "visits":
        names |= {field.column for definition in (CLASI, SLEDAI) for field in definition.fields}
    return names


def _check(raw: Mapping[str, Any], where: str) -> tuple[Rule | None, list[Problem]]:
    problems: list[Problem] = []
    rid = str(raw.get("id", "?"))

    def bad(field: str, value: object, allowed: str) -> None:
        problems.append(_p(f"{where}, rule {rid}", field, value, allowed))

    kind = raw.get("kind")
    if kind not in KINDS:
        bad("kind", kind, ", ".join(KINDS))
        return None, problems
    required, optional = _KEYS[kind]
    for key in sorted((_COMMON | required) - set(raw)):
        bad(key, None, f"required for kind {kind}")
    for key in sorted(set(raw) - _COMMON - required - optional):
        bad(key, raw[key], ", ".join(sorted(_COMMON | required | optional)))
    if raw.get("severity") not in SEVERITIES and "severity" in raw:
        bad("severity", raw.get("severity"), ", ".join(SEVERITIES))
    table = raw.get("table")
    if table is not None and table not in SCHEMA:
        bad("table", table, ", ".join(SCHEMA))
    elif table is not None:
        fields = [("field", table), ("when_field", raw.get("when_table", table))]
        if raw.get("when_table") is not None and raw["when_table"] not in SCHEMA:
            bad("when_table", raw["when_table"], ", ".join(SCHEMA))
            fields.pop()
        for key, tab in fields:
            if key in raw and raw[key] not in _allowed_columns(tab):
                bad(key, raw[key], f"a column of {tab}")
        for name in raw.get("other_fields", ()):
            if name not in _allowed_columns(table):
                bad("other_fields", name, f"a column of {table}")
        if kind == "visit_after_treatment" and table != "visits":
            bad("table", table, "visits")
        if kind == "without_nearby":
            _check_nearby(raw, table, bad)
    for key in ("min", "max", "months", "when_min", "below", "above", "days_before", "days_after"):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int | float)):
            bad(key, raw[key], "a number")
    if "not_recorded" in raw and (
        not isinstance(raw["not_recorded"], list)
        or not all(isinstance(v, str) for v in raw["not_recorded"])
    ):
        bad("not_recorded", raw["not_recorded"], 'a list of texts (e.g. ["not_done"])')
    if problems:
        return None, problems
    params = {k: v for k, v in raw.items() if k not in _COMMON}
    common = {k: str(raw[k]) for k in _COMMON}
    return Rule(params=params, **common), []


def _texts(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _check_nearby(raw: Mapping[str, Any], table: str, bad: Any) -> None:
    """The keys of a ``without_nearby`` rule beyond the common checks."""
    given = [key for key in _CONDITIONS if key in raw]
    if len(given) != 1:
        bad("below", given or None, "exactly one of " + ", ".join(_CONDITIONS))
    if "date_field" in raw and raw["date_field"] not in _allowed_columns(table):
        bad("date_field", raw["date_field"], f"a column of {table}")
    other = raw.get("other_table")
    if not isinstance(other, str) or other not in SCHEMA:
        bad("other_table", other, ", ".join(SCHEMA))
        return
    if not _texts(raw.get("other_date_fields")):
        bad("other_date_fields", raw.get("other_date_fields"), "a list of date columns")
    else:
        for name in raw["other_date_fields"]:
            if name not in _allowed_columns(other):
                bad("other_date_fields", name, f"a column of {other}")
    if ("other_field" in raw) != ("other_equals_any" in raw):
        bad("other_field", raw.get("other_field"), "other_field and other_equals_any together")
    if "other_field" in raw and raw["other_field"] not in _allowed_columns(other):
        bad("other_field", raw["other_field"], f"a column of {other}")
    for key in ("equals_any", "other_equals_any"):
        if key in raw and not _texts(raw[key]):
            bad(key, raw[key], "a list of texts")


def load_rules(path: str | Path, *, text: str | None = None) -> tuple[list[Rule], list[str]]:
    """Read and check a rules file: its rules and the ids it disables.

    A file holds ``[[rule]]`` tables and an optional ``disable = ["id", ...]`` list of
    bundled ids (or ids of its own rules).

    Raises
    ------
    InputError
        Listing every problem, each naming the file, the rule, the field and what is allowed.
    """
    name = str(path)
    try:
        data = tomllib.loads(text if text is not None else Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([_p(name, "(file)", None, f"readable TOML ({exc})")]) from exc
    problems: list[Problem] = []
    for key in sorted(set(data) - {"rule", "disable"}):
        problems.append(_p(name, key, data[key], "rule, disable"))
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in data.get("rule", []):
        rule, found = _check(raw, name)
        problems += found
        if rule is not None:
            if rule.id in seen:
                problems.append(_p(name, "id", rule.id, "an id not used twice"))
            seen.add(rule.id)
            rules.append(rule)
    disable = data.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        problems.append(_p(name, "disable", disable, "a list of rule ids"))
        disable = []
    elif disable:
        # Reported with the rules' problems, so one run lists every problem of the file.
        known = {r.id for r in bundled_rules()} | seen
        for rid in (d for d in disable if d not in known):
            problems.append(_p(name, "disable", rid, ", ".join(sorted(known))))
    if problems:
        raise InputError(problems)
    return rules, list(disable)


def bundled_rules() -> list[Rule]:
    """The rules shipped with clears (``clears/data/quality/rules.toml``)."""
    source = resources.files("clears").joinpath("data", "quality", "rules.toml")
    rules, _ = load_rules("rules.toml", text=source.read_text("utf-8"))
    return rules


def merge_rules(base: Sequence[Rule], extra: Sequence[Rule], disable: Sequence[str]) -> list[Rule]:
    """``base`` with ``extra`` added or replacing rules of the same id, less ``disable``.

    Raises
    ------
    InputError
        A disabled id that names no rule.
    """
    known = {r.id for r in base} | {r.id for r in extra}
    unknown = [d for d in disable if d not in known]
    if unknown:
        raise InputError([_p("rules", "disable", unknown[0], ", ".join(sorted(known)))])
    merged = {r.id: r for r in base}
    merged.update({r.id: r for r in extra})
    return [r for r in merged.values() if r.id not in set(disable)]
