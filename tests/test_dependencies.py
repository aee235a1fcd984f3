"""Every package ``src/clears`` imports is declared in ``pyproject.toml``.

Each ``import`` in ``src/clears`` (at the top of a module or inside a function) is read with
:mod:`ast`; a top-level name that is neither the standard library nor ``clears`` must belong
to a distribution (``importlib.metadata.packages_distributions``) that ``[project]
dependencies`` or one of ``[project.optional-dependencies]`` names. An optional package
(imported inside the function that needs it) is declared as an extra.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "clears"


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def declared() -> set[str]:
    """Distribution names of the dependencies and of every extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_name(r) for r in requirements}


def imported_top_level(root: Path) -> dict[str, str]:
    """Top-level name -> first ``file:line`` of every absolute import under ``root``."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                found.setdefault(top, f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


@pytest.mark.slow  # over a second in --durations
def test_every_imported_package_is_declared() -> None:
    owners = importlib.metadata.packages_distributions()
    third_party = {
        top: where
        for top, where in imported_top_level(SRC).items()
        if top not in sys.stdlib_module_names and top != "clears"
    }
    assert "yaml" in third_party  # the scan reaches imports inside functions
    wanted = declared()
    missing = []
    for top, where in sorted(third_party.items()):
        distributions = {_name(d) for d in owners.get(top, [top])}
        if not distributions & wanted:
            missing.append(f"{top} ({where}): none of {sorted(distributions)} declared")
    assert missing == []


def test_requirement_names_are_normalised() -> None:
    assert _name("fhir.resources>=8") == "fhir-resources"
    assert _name("psycopg[binary]>=3.1") == "psycopg"
    assert _name("PyYAML>=6") == "pyyaml"
