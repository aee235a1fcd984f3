"""Every column the analysis layers read is declared in the cohort schema, or derived by them.

A column that outcomes, decision support, the analyses or the report read but the schema does
not declare is never validated: a wrong value ("31/03/2009" in a date column) would pass
``clears cohort validate`` and break, or silently skew, whatever reads it. This scan finds the
names those layers read, statically: string literals in column-read positions
(``frame["x"]``, ``frame[["x", "y"]]``, ``row.get("x")``, ``data.value("x")``, ``"x" in frame``).
Each must be

* a column of :data:`clears.cohort.SCHEMA` or an instrument item column;
* a column those layers (or ``clears.plots``) produce themselves: assigned
  (``frame["x"] = ...``, ``.assign(x=...)``, named aggregation ``.agg(x=...)``), built
  (``pd.DataFrame({"x": ...})``, ``columns=[...]``) or renamed into (``.rename(columns=...)``),
  or an output column of :func:`clears.outcomes.derive`;
* a key of the bundled protocol and preset TOML files; or
* one of :data:`NOT_COHORT_COLUMNS`, each with the reason it is not a cohort column.

A static scan cannot see a column named through a variable (``row.get(column)`` with
``column`` from a table of data); such tables are checked one by one below.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from clears.cohort import REQUIRED_COLUMNS, SCHEMA, Cohort
from clears.cohort._items import instrument_fields, instrument_modules

SRC = Path(__file__).parents[2] / "src" / "clears"
READERS = ("outcomes", "protocol", "analysis", "report")
PRODUCERS = (*READERS, "plots")
_NAME = re.compile(r"[a-z][a-z0-9_]*")

#: Names read in a column position that are not cohort columns, and why.
NOT_COHORT_COLUMNS: dict[str, str] = {
    # Keys of clears' own result objects and mappings.
    "band": "CTCAE band of an adverse-event table row (analysis.adverse_events)",
    "display": "display label of an adverse-event table row",
    "events": "event count of an adverse-event or rate table",
    "per": "rate denominator of an incidence table",
    "item": "row label of the report's safety table",
    "section": "section key of the report's safety table",
    "level": "level of a Table 1 variable",
    "variable": "Table 1 variable",
    "summary": "Table 1 summary cell",
    "smd": "standardised mean difference of Table 1",
    "denominator": "response table denominator",
    "responders": "response table numerator",
    "subgroup": "response table subgroup",
    "median": "median of a survival summary",
    "patients": "table name (key of the tables mapping)",
    "treatments": "table name (key of the tables mapping)",
    "flares": "table name (key of the tables mapping)",
    "cortes2012": "flare rule name (clears.criteria FLARE_RULES)",
    "deviation": "deviation kind of the protocol deviations report",
    "held_start": "key of an advice's basis (the start a gate held)",
    "not_met": "eligibility status",
    "unknown": "eligibility status",
    # Protocol eligibility limits (protocol TOML [eligibility] with these defaults).
    "max_prednisone_mg_per_day": "protocol eligibility limit",
    "min_age": "protocol eligibility limit",
    "min_antimalarial_months": "protocol eligibility limit",
    "min_bsa_percent": "protocol eligibility limit",
    "min_erythema": "protocol eligibility limit",
    "min_gfr": "protocol eligibility limit",
    "min_stable_days": "protocol eligibility limit",
}

_FRAME_BUILDERS = frozenset(
    {"assign", "agg", "aggregate", "DataFrame", "Series", "to_frame", "rename", "reset_index"}
    | {"insert", "set_axis", "reindex", "melt", "pivot_table"}
)


def _texts(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [text for element in node.elts for text in _texts(element)]
    return []


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def read_names(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Names in a column-read position, with their line."""
    for node in ast.walk(tree):
        found: list[str] = []
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if ast.unparse(node.value) != "Literal":  # typing.Literal["a", "b"]
                found = _texts(node.slice)
        elif isinstance(node, ast.Call) and _call_name(node) in ("get", "value") and node.args:
            if isinstance(node.func, ast.Attribute):
                found = _texts(node.args[0])
        elif isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) for op in node.ops
        ):
            found = _texts(node.left)
        for name in found:
            if _NAME.fullmatch(name):
                yield name, node.lineno


def produced_names(tree: ast.AST) -> Iterator[str]:
    """Names a module assigns, builds or renames as columns."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            yield from _texts(node.slice)
        if not isinstance(node, ast.Call) or _call_name(node) not in _FRAME_BUILDERS:
            continue
        name = _call_name(node)
        if name in ("assign", "agg", "aggregate"):
            yield from (keyword.arg for keyword in node.keywords if keyword.arg)
        for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
            if isinstance(argument, ast.Dict):
                for key, value in zip(argument.keys, argument.values, strict=True):
                    yield from _texts(key)
                    if name == "rename":
                        yield from _texts(value)
            else:
                yield from _texts(argument)


def _modules(packages: Iterable[str]) -> Iterator[tuple[str, ast.AST]]:
    for package in packages:
        for path in sorted((SRC / package).rglob("*.py")):
            yield f"{package}/{path.relative_to(SRC / package)}", ast.parse(path.read_text("utf-8"))


def _toml_keys(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _toml_keys(value)
    elif isinstance(data, list):
        for value in data:
            yield from _toml_keys(value)


def declared() -> set[str]:
    items = instrument_fields([module.DEFINITION for module in instrument_modules().values()])
    return {column.name for columns in SCHEMA.values() for column in columns} | set(items)


def derived() -> set[str]:
    from clears.criteria import resolve
    from clears.outcomes import derive

    names = {name for _, tree in _modules(PRODUCERS) for name in produced_names(tree)}
    empty = Cohort(**{t: pd.DataFrame(columns=list(REQUIRED_COLUMNS[t])) for t in REQUIRED_COLUMNS})
    names |= set(derive(empty, [resolve("aitmehdi2021")]).columns)
    for path in sorted((SRC / "data").rglob("*.toml")):
        names |= set(_toml_keys(tomllib.loads(path.read_text("utf-8"))))
    return names


def reads() -> dict[str, set[str]]:
    where: dict[str, set[str]] = defaultdict(set)
    for module, tree in _modules(READERS):
        for name, line in read_names(tree):
            where[name].add(f"{module}:{line}")
    return where


@pytest.mark.slow
def test_every_column_read_is_declared_or_derived() -> None:
    allowed = declared() | derived() | set(NOT_COHORT_COLUMNS)
    undeclared = {name: sorted(at) for name, at in reads().items() if name not in allowed}
    assert undeclared == {}, (
        "read as columns but neither in clears.cohort.SCHEMA nor derived: declare each in the "
        "schema (so it is validated) or, if it is not a cohort column, in NOT_COHORT_COLUMNS"
    )


@pytest.mark.slow
def test_the_exceptions_are_still_read_and_are_not_schema_columns() -> None:
    found = reads()
    assert sorted(set(NOT_COHORT_COLUMNS) - set(found)) == []  # no stale entries
    assert sorted(set(NOT_COHORT_COLUMNS) & declared()) == []


@pytest.mark.slow
def test_the_scan_sees_the_cohort_columns_the_layers_read() -> None:
    found = reads()
    # outcomes/_flares.py reads sle_onset_date; protocol the label and eligibility columns.
    for name in ("sle_onset_date", "reproductive_potential", "birth_year", "bsa_percent"):
        assert name in found, name


def test_columns_named_by_data_are_declared() -> None:
    # What the scan cannot see: columns the layers read through a name held in data. The
    # blood lines of decision support come from the thresholds table.
    from clears.protocol._thresholds import LINES

    visits = {column.name for column in SCHEMA["visits"]}
    assert set(LINES) <= visits


def test_the_scan_flags_an_undeclared_column() -> None:
    source = (
        "def onset(patients, row):\n"
        "    a = patients['sle_onset']\n"
        "    b = row.get('sle_onset_day')\n"
        "    c = 'neutrophils' in patients\n"
        "    patients['made_here'] = 1\n"
        "    return a, b, c, patients['made_here'], patients[['sle', 'flare_count']]\n"
    )
    tree = ast.parse(source)
    names = {name for name, _ in read_names(tree)} - set(produced_names(tree)) - declared()
    assert names == {"sle_onset", "sle_onset_day", "neutrophils", "flare_count"}
