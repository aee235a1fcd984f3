"""The registry's boundary: outside ``clears.registry`` code uses only its public names, and
the web and command-line layers run no SQL of their own.

The registry is the only layer that knows the database (docs/architecture.md); its ``_``-prefixed
modules are its own. Everything else imports ``clears.registry`` (the package's ``__all__``)
or one of its public modules, and calls services instead of building queries.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import clears

SOURCE = Path(clears.__file__).parent
#: Calls that run SQL on a session or connection.
_RUNS_SQL = frozenset({"execute", "scalars", "scalar", "scalar_one", "scalar_one_or_none"})
#: SQLAlchemy constructs that build a statement.
_BUILDS_SQL = frozenset({"select", "insert", "update", "delete", "text", "func"})


def _outside_registry() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "registry" not in p.relative_to(SOURCE).parts)


def private_registry_imports(tree: ast.AST) -> Iterator[str]:
    """The ``clears.registry`` private modules a module imports."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[:2] == ["clears", "registry"]:
                if any(part.startswith("_") for part in parts[2:]):
                    yield node.module
                elif len(parts) == 2:
                    yield from (
                        f"clears.registry.{a.name}" for a in node.names if a.name.startswith("_")
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("clears.registry.") and any(
                    part.startswith("_") for part in alias.name.split(".")[2:]
                ):
                    yield alias.name


def sql_of_its_own(tree: ast.AST) -> Iterator[str]:
    """Where a module builds or runs SQL itself (``session.execute``, ``sa.select`` ...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if name in _RUNS_SQL:
                yield f"line {node.lineno}: .{name}()"
            elif name in _BUILDS_SQL and isinstance(owner, ast.Name) and owner.id in {"sa"}:
                yield f"line {node.lineno}: sa.{name}()"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            built = [a.name for a in node.names if a.name in _BUILDS_SQL]
            if built:
                yield f"line {node.lineno}: imports {', '.join(built)} from {node.module}"


def test_the_checks_find_what_they_look_for() -> None:
    code = ast.parse(
        "from clears.registry._models import Centre\n"
        "from clears.registry import _records, audit\n"
        "import clears.registry._engine\n"
        "from sqlalchemy import select\n"
        "rows = session.execute(sa.select(Centre.code))\n"
    )
    assert list(private_registry_imports(code)) == [
        "clears.registry._models",
        "clears.registry._records",
        "clears.registry._engine",
    ]
    found = list(sql_of_its_own(code))
    assert any(".execute()" in f for f in found)
    assert any("sa.select()" in f for f in found)
    assert any("imports select" in f for f in found)
    clean = ast.parse(
        "from clears.registry import Actor, audit\nfrom clears.registry.audit import verify\n"
    )
    assert not list(private_registry_imports(clean))
    assert not list(sql_of_its_own(clean))


@pytest.mark.parametrize("path", _outside_registry(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_nothing_outside_the_registry_imports_its_private_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not list(private_registry_imports(tree))


@pytest.mark.parametrize(
    "path",
    [p for p in _outside_registry() if p.relative_to(SOURCE).parts[0] in {"web", "cli"}],
    ids=lambda p: str(p.relative_to(SOURCE)),
)
def test_the_web_and_the_command_line_run_no_sql_of_their_own(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not list(sql_of_its_own(tree))
