"""Property tests of ``clears score`` and ``clears meta``: any JSON record, any study table and
any option values end in exit 0, 1 or 2 without a traceback; a failed ``meta --plot`` writes
no figure.

Records start from the bundled examples (``examples/score``) with one value replaced or one
key removed, or are arbitrary JSON, or are not JSON at all.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.cli._properties import HOSTILE_TEXT, check_contract, few, invoke, mostly

_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(HOSTILE_TEXT)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn, example: str) -> str:
    record = json.loads((_EXAMPLES / "score" / example).read_text(encoding="utf-8"))
    path = draw(st.sampled_from(_paths(record)))
    parent = record
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(_VALUES)
    return json.dumps(record, allow_nan=True)


def _records(example: str) -> st.SearchStrategy[str]:
    text = (_EXAMPLES / "score" / example).read_text(encoding="utf-8")
    return (
        st.just(text)
        | _mutated(example)
        | _VALUES.map(lambda v: json.dumps(v, allow_nan=True))
        | st.text(max_size=40)
        | st.sampled_from(["", "{", '{"a": 1}}', "[" * 5000, '{"value": ' + "1" * 400 + "}"])
    )


_FORMATS = mostly(["text", "json"], ["xml", ""]).map(lambda fmt: ["--format", fmt])


@pytest.mark.slow  # over a second in --durations
@few(15)
@given(record=_records("clasi.json"), fmt=_FORMATS, partial=st.booleans())
def test_score_clasi_keeps_the_contract(record: str, fmt: list[str], partial: bool) -> None:
    args = ["score", "clasi", "-", *fmt, *(["--partial"] if partial else [])]
    check_contract(invoke(args, cwd=_EXAMPLES, stdin=record))


@pytest.mark.slow  # over a second in --durations
@few(15)
@given(
    record=_records("sledai.json"),
    fmt=_FORMATS,
    variant=mostly(["sledai2k", "selena"], ["sledai"]),
)
def test_score_sledai_keeps_the_contract(record: str, fmt: list[str], variant: str) -> None:
    args = ["score", "sledai", "-", *fmt, "--variant", variant]
    check_contract(invoke(args, cwd=_EXAMPLES, stdin=record))


@pytest.mark.slow
@few(15)
@given(
    record=_records("flare.json"),
    rule=mostly(["sfi", "cortes2012"], ["bilag"]),
    severe=mostly(["to", "change"], [""]),
    mild=st.sampled_from([[], ["--mild-reading", "ge3"], ["--mild-reading", "gt3"]]),
)
def test_score_flare_keeps_the_contract(
    record: str, rule: str, severe: str, mild: list[str]
) -> None:
    args = ["score", "flare", "-", "--rule", rule, "--severe-reading", severe, *mild]
    check_contract(invoke(args, cwd=_EXAMPLES, stdin=record))


@pytest.mark.slow
@few(15)
@given(record=_records("ctcae.json"), fmt=_FORMATS)
def test_score_ctcae_keeps_the_contract(record: str, fmt: list[str]) -> None:
    check_contract(invoke(["score", "ctcae", "-", *fmt], cwd=_EXAMPLES, stdin=record))


@pytest.mark.slow
@few(5)
@given(name=st.sampled_from(["missing.json", ".", "score", "score/clasi.json"]))
def test_score_reads_odd_paths_within_the_contract(name: str) -> None:
    check_contract(invoke(["score", "clasi", name], cwd=_EXAMPLES))


_CELL = st.sampled_from(HOSTILE_TEXT) | st.integers(-5, 30).map(str) | st.text(max_size=6)


@st.composite
def _studies(draw: st.DrawFn) -> str:
    """A study table: whole-number counts, sometimes one hostile cell, sometimes odd columns."""
    header = draw(st.just("study,events,n,drug") | st.sampled_from(["study,n", "events,n", "a"]))
    columns = header.split(",")
    count = draw(st.integers(0, 6))
    rows = []
    for index in range(count):
        n = draw(st.integers(1, 40))
        cells = {"study": f"S{index}", "events": str(draw(st.integers(0, n))), "n": str(n)}
        cells["drug"] = draw(st.sampled_from(["lenalidomide", "thalidomide"]))
        rows.append([cells.get(column, "x") for column in columns])
    if rows and draw(st.booleans()):
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.integers(0, len(columns) - 1))] = draw(
            _CELL
        )
    lines = [header] + [",".join(json.dumps(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.slow  # over a second in --durations
@few(20)
@given(
    table=_studies() | st.just((_EXAMPLES / "meta" / "pritz1997.csv").read_text()),
    measure=mostly(["PLO", "PFT", "PR", "PLN"], ["XX", ""]),
    method=mostly(["REML", "DL", "PM", "ML", "EE", "GLMM"], ["ZZ"]),
    level=mostly(["0.95", "0.5", "0.99"], ["0", "1", "-1", "nan", "2"]),
    add=mostly(["0.5", "0", "1"], ["-1", "inf", "nan", "1e308"]),
    to=mostly(["only0", "all", "if0all", "none"], ["some"]),
    extra=st.sampled_from([[], ["--leave-one-out"], ["--subgroup", "drug"], ["--fallback", "DL"]]),
    plot=st.sampled_from([None, "forest.png", "forest.gif", "sub/forest.svg"]),
)
def test_meta_keeps_the_contract_and_writes_no_plot_on_failure(
    table: str,
    measure: str,
    method: str,
    level: str,
    add: str,
    to: str,
    extra: list[str],
    plot: str | None,
) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "studies.csv"
        path.write_text(table, encoding="utf-8")
        args = ["meta", str(path), "--measure", measure, "--method", method, "--level", level]
        args += ["--add", add, "--to", to, *extra]
        outputs = []
        if plot is not None:
            args += ["--plot", plot]
            outputs.append(Path(work) / plot)
        check_contract(invoke(args, cwd=Path(work)), outputs=outputs)


@pytest.mark.slow
@few(8)
@given(
    outcome=st.sampled_from(["cr", "any", "pr"]),
    include=st.sampled_from([[], ["--include", "shah2009"], ["--include", "nobody"]]),
    extra=st.none() | _studies(),
    fmt=st.sampled_from(["text", "json"]),
)
def test_meta_bundled_keeps_the_contract(
    outcome: str, include: list[str], extra: str | None, fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as work:
        args = ["meta", "--bundled", "--outcome", outcome, *include, "--format", fmt]
        if extra is not None:
            (Path(work) / "extra.csv").write_text(extra, encoding="utf-8")
            args += ["--extra", "extra.csv"]
        check_contract(invoke(args, cwd=Path(work)))
