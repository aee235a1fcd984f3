"""One implementation per meaning: no second copy of a function body, no second missing-cell test.

Two cheap scans of the whole of ``src/clears`` (instruments included) with :mod:`ast`:

* functions whose bodies are the same once names are normalised (every name and argument
  read as ``_``, docstrings dropped), among bodies of at least :data:`MIN_NODES` nodes: the
  same code written twice, which should live once and be imported;
* the missing-cell idioms (``x is pd.NA``, ``x is pd.NaT``, NaN's ``x != x``) outside
  ``_cells.py``, which holds the one reading of a missing cell
  (:func:`clears._cells.plain_value`, ``is_missing``), importable from every layer.

The migration revisions (``registry/migrations/versions/``) are left out of the first scan:
each is a frozen record of one schema step, written out literally so that it never changes
when code it could share changes, and two revisions adding columns the same way have the
same body by design.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "clears"
MISSING_CELL_HOME = SRC / "_cells.py"
#: Bodies smaller than this (a one-line ``return f(x)``) are not worth sharing.
MIN_NODES = 25
#: Written out literally on purpose (see the module docstring).
FROZEN = SRC / "registry" / "migrations" / "versions"


class _Anonymous(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return ast.copy_location(ast.arg(arg="_"), node)


def _body_key(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, int] | None:
    body = node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = body[1:]
    if not body:
        return None
    copy = ast.parse(ast.unparse(ast.Module(body=body, type_ignores=[])))
    normalised = _Anonymous().visit(copy)
    return ast.dump(normalised), sum(1 for _ in ast.walk(normalised))


def same_bodies(sources: dict[str, str]) -> list[list[str]]:
    """Groups of ``file:line:function`` whose normalised bodies are equal."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for name, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = _body_key(node)
                if key is not None and key[1] >= MIN_NODES:
                    groups[key[0]].append(f"{name}:{node.lineno}:{node.name}")
    return [found for found in groups.values() if len(found) > 1]


def _is_missing_marker(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in {"NA", "NaT"}
        and isinstance(node.value, ast.Name)
        and node.value.id == "pd"
    )


def missing_cell_idioms(name: str, text: str) -> list[str]:
    """``file:line`` of each ``is pd.NA``/``is pd.NaT`` test and each ``x != x`` in ``text``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Compare):
            continue
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            marked = _is_missing_marker(left) or _is_missing_marker(right)
            identity = isinstance(op, ast.Is | ast.IsNot) and marked
            self_unequal = isinstance(op, ast.NotEq) and ast.dump(left) == ast.dump(right)
            if identity or self_unequal:
                found.append(f"{name}:{node.lineno}")
            left = right
    return found


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(SRC.parent)): path.read_text(encoding="utf-8")
        for path in sorted(SRC.rglob("*.py"))
    }


@pytest.mark.slow  # over a second in --durations
def test_no_function_body_is_written_twice() -> None:
    frozen = str(FROZEN.relative_to(SRC.parent))
    sources = {name: text for name, text in _sources().items() if not name.startswith(frozen)}
    assert len(sources) > 100  # the scan reads the package
    assert "clears/registry/migrations/env.py" in sources  # only the revisions are left out
    assert same_bodies(sources) == []


def test_missing_cells_are_read_in_one_place() -> None:
    home = str(MISSING_CELL_HOME.relative_to(SRC.parent))
    sources = _sources()
    assert missing_cell_idioms(home, sources[home])  # the one reading is where it is
    assert "clears/instruments/clasi/record.py" in sources  # the instruments are scanned too
    found = [
        hit
        for name, text in sources.items()
        if name != home
        for hit in missing_cell_idioms(name, text)
    ]
    assert found == []


def test_the_scans_see_a_copy() -> None:
    body = (
        "def {name}(rows, key):\n"
        "    '''Doc.'''\n"
        "    out = []\n"
        "    for row in rows:\n"
        "        if row.get(key) is not None and row[key] > 0:\n"
        "            out.append(row[key] * 2)\n"
        "    return out\n"
    )
    sources = {
        "a.py": body.format(name="first"),
        "b.py": body.format(name="second").replace("rows", "items"),
        "c.py": "def small(x):\n    return x + 1\n\ndef other(y):\n    return y + 1\n",
    }
    assert same_bodies(sources) == [["a.py:1:first", "b.py:1:second"]]
    text = "def f(v):\n    return v is pd.NA or v != v or v is None or pd.NaT is not v\n"
    assert missing_cell_idioms("d.py", text) == ["d.py:2"] * 3
