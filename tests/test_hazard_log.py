"""Every test the hazard log names exists.

``docs/safety/hazard-log.md`` controls each hazard by naming its tests. A renamed or deleted
test would leave a hazard row pointing at nothing, and the control would silently be gone.
This test reads every backticked reference in the log and resolves it against the test files
themselves (parsed with :mod:`ast`, nothing imported):

- ``tests/pkg/test_x.py`` — the file exists;
- ``tests/pkg/test_x.py::test_name`` — a test function or class of that name exists in it
  (``Class::method`` too); a ``*`` is a pattern that must match at least one name; a
  parametrisation id in brackets (``[case]``) is not resolved, only the function;
- ``test_x.py::test_name`` — a bare file name is looked up first in the folder of the last
  full path of the same row, then anywhere under ``tests/`` (it must then be unique);
- ``::test_name`` — a further name in the file of the previous reference of the same row.

Other paths the log names (``src/...``, ``benchmarks/...``) must exist as files.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"

_SPAN = re.compile(r"`([^`]+)`")
_REF = re.compile(r"^(?P<file>[\w./-]+\.py)?(?P<names>(?:::[\w*\[\] .,=-]+)*)$")


@dataclass(frozen=True)
class Problem:
    """One reference of the log that does not resolve."""

    hazard: str
    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.hazard}: `{self.reference}` {self.reason}"


@functools.cache
def _names(path: Path) -> frozenset[str]:
    """Test names defined in ``path``: functions, classes and ``Class::method``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found.add(node.name)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.add(item.name)
                    found.add(f"{node.name}::{item.name}")
    return frozenset(found)


def _resolve_file(name: str, context: Path | None, root: Path) -> Path | str:
    """The file a reference names, or the reason it names none."""
    if "/" in name:
        path = root / name
        return path if path.is_file() else "names a file that does not exist"
    if context is not None and (context / name).is_file():
        return context / name
    matches = sorted((root / "tests").rglob(name))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return "names a file that exists nowhere under tests/"
    where = ", ".join(str(m.relative_to(root)) for m in matches)
    return f"is ambiguous without a folder: {where}"


def _check_names(names: str, path: Path, hazard: str, span: str) -> list[Problem]:
    problems = []
    defined = _names(path)
    for name in filter(None, names.split("::")):
        base = name.split("[", 1)[0]
        if not base:
            continue
        if "*" in base:
            if not any(fnmatch.fnmatchcase(d.split("::")[-1], base) for d in defined):
                problems.append(Problem(hazard, span, f"matches no test in {path.name}"))
        elif base not in defined:
            problems.append(Problem(hazard, span, f"is not a test in {path.name}"))
    return problems


def check(text: str, root: Path = ROOT) -> list[Problem]:
    """Every reference of the hazard-log ``text`` that does not resolve under ``root``."""
    problems: list[Problem] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or not cells or not re.match(r"^H-[A-Z]+-\d+$", cells[0]):
            continue
        hazard = cells[0]
        folder: Path | None = None
        current: Path | None = None
        for span in _SPAN.findall(line):
            ref = span.split(" ", 1)[0] if span.endswith("doctests") else span
            match = _REF.match(ref)
            if match is None or not (match["file"] or match["names"]):
                continue  # a code span that is not a reference (a value, a name)
            if match["file"]:
                resolved = _resolve_file(match["file"], folder, root)
                if isinstance(resolved, str):
                    problems.append(Problem(hazard, span, resolved))
                    current = None
                    continue
                current = resolved
                if "/" in match["file"]:
                    folder = resolved.parent
            elif current is None:
                problems.append(Problem(hazard, span, "continues no file named before it"))
                continue
            if match["names"] and current.suffix == ".py" and current.name.startswith("test"):
                problems.extend(_check_names(match["names"], current, hazard, span))
            elif match["names"]:
                problems.append(Problem(hazard, span, "names a test in a file that is no test"))
    return problems


def test_every_test_the_hazard_log_names_exists() -> None:
    problems = check(LOG.read_text(encoding="utf-8"))
    assert not problems, "stale hazard-log references:\n" + "\n".join(map(str, problems))


def test_the_log_names_tests_at_all() -> None:
    """The checker reads the table (a format change would otherwise pass silently)."""
    text = LOG.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"^\| H-[A-Z]+-\d+ \|", line)]
    spans = [s for line in rows for s in _SPAN.findall(line) if ".py" in s or "::" in s]
    assert len(rows) > 50
    assert len(spans) > 150


def test_stale_references_are_reported(tmp_path: Path) -> None:
    (tmp_path / "tests" / "pkg").mkdir(parents=True)
    (tmp_path / "tests" / "pkg" / "test_a.py").write_text(
        "def test_one():\n    pass\n\nclass TestGroup:\n    def test_two(self):\n        pass\n"
    )
    (tmp_path / "tests" / "other").mkdir()
    (tmp_path / "tests" / "other" / "test_b.py").write_text("def test_b():\n    pass\n")
    (tmp_path / "tests" / "pkg" / "test_b.py").write_text("def test_c():\n    pass\n")
    good = (
        "| H-X-1 | h | e | c | `tests/pkg/test_a.py::test_one`, `::TestGroup::test_two`, "
        "`::test_o*`, `test_b.py::test_c`, `tests/pkg/test_a.py::test_one[case]` |"
    )
    assert check(good, tmp_path) == []
    bad = (
        "| H-X-2 | h | e | c | `tests/pkg/test_a.py::test_gone`, `::test_z*`, "
        "`tests/pkg/test_none.py`, `::test_one`, `test_b.py` |\n"
        "| H-X-3 | h | e | c | `test_b.py::test_b` |"
    )
    reasons = [(p.hazard, p.reference, p.reason) for p in check(bad, tmp_path)]
    assert reasons == [
        ("H-X-2", "tests/pkg/test_a.py::test_gone", "is not a test in test_a.py"),
        ("H-X-2", "::test_z*", "matches no test in test_a.py"),
        ("H-X-2", "tests/pkg/test_none.py", "names a file that does not exist"),
        ("H-X-2", "::test_one", "continues no file named before it"),
        (
            "H-X-3",
            "test_b.py::test_b",
            "is ambiguous without a folder: tests/other/test_b.py, tests/pkg/test_b.py",
        ),
    ]
