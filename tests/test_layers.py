"""The import layers of ``docs/architecture.md`` hold in the code.

The page's layer table (between ``<!-- layers -->`` and ``<!-- /layers -->``) gives each
package of ``src/clears`` a layer and the packages of its own layer it may import. A package
may import any package of a lower layer and the shared top-level modules (``_exceptions``,
``units``, ...). Every ``import`` and ``from ... import`` in ``src/clears`` — at the top of a
module or inside a function, absolute or relative — is read with :mod:`ast` and checked.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "clears"
PAGE = ROOT / "docs" / "architecture.md"


@dataclass(frozen=True)
class Layer:
    """One row of the page's layer table."""

    number: int
    same_layer: frozenset[str]


def read_layers(text: str) -> dict[str, Layer]:
    """The layer table of the architecture page ``text``, by package."""
    match = re.search(r"<!-- layers -->(.*?)<!-- /layers -->", text, re.S)
    if match is None:
        raise ValueError("docs/architecture.md has no <!-- layers --> table")
    layers = {}
    for line in match[1].strip().splitlines()[2:]:
        number, package, also = (c.strip() for c in line.strip().strip("|").split("|"))
        layers[package.strip("`")] = Layer(int(number), frozenset(re.findall(r"`([\w.]+)`", also)))
    return layers


def packages() -> set[str]:
    """The subpackages of ``clears`` (folders with an ``__init__.py``)."""
    return {p.parent.name for p in SRC.glob("*/__init__.py")}


def _module_parts(path: Path, root: Path) -> tuple[str, ...]:
    parts = ("clears", *path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_packages(path: Path, known: set[str], root: Path) -> list[tuple[int, str, str]]:
    """(line, package, import as written) of every ``clears`` package ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_parts(path, root)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [(a.name, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join((*base, node.module) if node.module else base)
            else:
                module = node.module or ""
            dots = "." * node.level
            written = f"from {dots}{node.module or ''} import "
            targets = [(f"{module}.{a.name}", written + a.name) for a in node.names]
        else:
            continue
        for name, written in targets:
            parts = name.split(".")
            if parts[0] == "clears" and len(parts) > 1 and parts[1] in known:
                found.append((node.lineno, parts[1], written))
    return found


def violations(layers: dict[str, Layer], root: Path = SRC) -> list[str]:
    """Every import under ``root`` against ``layers``, as ``file:line: message``."""
    known = set(layers)
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or rel.parts[0] not in known:
            continue  # a shared top-level module
        own = rel.parts[0]
        for line, target, written in imported_packages(path, known, root):
            if target == own:
                continue
            mine, theirs = layers[own], layers[target]
            if theirs.number < mine.number or target in mine.same_layer:
                continue
            where = "a higher layer" if theirs.number > mine.number else "its own layer"
            problems.append(
                f"src/clears/{rel.as_posix()}:{line}: `{written}` — {own} (layer {mine.number})"
                f" imports {target} (layer {theirs.number}, {where}); see docs/architecture.md"
            )
    return problems


def test_every_package_has_a_layer() -> None:
    layers = read_layers(PAGE.read_text(encoding="utf-8"))
    assert set(layers) == packages(), (
        "docs/architecture.md layer table and src/clears packages differ: "
        f"missing {sorted(packages() - set(layers))}, extra {sorted(set(layers) - packages())}"
    )


@pytest.mark.slow  # over a second in --durations
def test_no_import_runs_against_the_layers() -> None:
    problems = violations(read_layers(PAGE.read_text(encoding="utf-8")))
    assert not problems, "imports against the layer rules:\n" + "\n".join(problems)


def test_the_check_names_the_offending_import(tmp_path: Path) -> None:
    for package in ("low", "high", "peer"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "low" / "bad.py").write_text(
        "import os\n\n\ndef f():\n    from clears.high import thing\n    return thing\n"
    )
    (tmp_path / "low" / "sub").mkdir()
    (tmp_path / "low" / "sub" / "rel.py").write_text("from ...peer import x\nfrom .. import bad\n")
    (tmp_path / "high" / "ok.py").write_text("from clears import low\nimport clears.peer\n")
    layers = {
        "low": Layer(1, frozenset()),
        "peer": Layer(1, frozenset()),
        "high": Layer(2, frozenset()),
    }
    assert violations(layers, tmp_path) == [
        "src/clears/low/bad.py:5: `from clears.high import thing` — low (layer 1) imports high"
        " (layer 2, a higher layer); see docs/architecture.md",
        "src/clears/low/sub/rel.py:1: `from ...peer import x` — low (layer 1) imports peer"
        " (layer 1, its own layer); see docs/architecture.md",
    ]
    allowed = {**layers, "low": Layer(1, frozenset({"peer"}))}
    assert [p.split(":")[0] for p in violations(allowed, tmp_path)] == ["src/clears/low/bad.py"]


def test_a_page_without_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="no <!-- layers --> table"):
        read_layers("# Architecture\n")
