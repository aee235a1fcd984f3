"""Route modules do not import each other: what two of them share lives in ``web/_*.py``.

Each module under ``src/clears/web/routes/`` is read with :mod:`ast`; any ``import`` of
``clears.web.routes`` or one of its modules (absolute or relative, at the top or inside a
function) fails the test, naming the module, the line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROUTES = Path(__file__).resolve().parents[2] / "src" / "clears" / "web" / "routes"


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative, from inside clears.web.routes
            base = "clears.web.routes" if node.level == 1 else "clears.web"
            module = f"{base}.{node.module}" if node.module else base
        else:
            module = node.module or ""
        return [f"{module}.{alias.name}" for alias in node.names]
    return []


def route_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported name) of every import of a route module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, name)
        for node in ast.walk(tree)
        for name in _imported(node)
        if name.startswith("clears.web.routes.")
    ]


def test_route_modules_do_not_import_each_other() -> None:
    modules = sorted(p for p in ROUTES.glob("*.py") if p.name != "__init__.py")
    assert len(modules) >= 5  # the scan sees the route modules
    found = [f"{p.name}:{line}: {name}" for p in modules for line, name in route_imports(p)]
    assert found == []


def test_the_scan_sees_an_import_of_another_route_module(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        "from clears.web.routes.jobs import job_path\n"
        "def f():\n    from .pages import PRESETS\n"
        "from clears.web._jobs import submit_for\n"
    )
    assert route_imports(module) == [
        (1, "clears.web.routes.jobs.job_path"),
        (3, "clears.web.routes.pages.PRESETS"),
    ]
