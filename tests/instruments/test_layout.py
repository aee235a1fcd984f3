"""The instruments package is laid out by instrument, and the tests mirror it.

``clears/instruments/`` holds the shared base (``_base.py``), the REDCap data dictionary of
all the definitions (``redcap.py``), the one list of the core outcome set's measures
(``core_set.py``) and one subpackage per instrument. Inside a subpackage
the public modules are named for their role, the same four in every instrument
(``definition``, ``record``, ``vector``, ``result``); anything else is a private part of one
of them (``_``-prefixed). A flat module such as the former
``clasi_vector.py`` reappearing at the top level fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

import clears.instruments

PACKAGE = Path(clears.instruments.__file__).parent
TESTS = Path(__file__).parent
INSTRUMENTS = ("cla_iga", "clasi", "ctcae", "dlqi", "flare", "nrs", "ptga", "skindex", "sledai")
TOP_LEVEL_MODULES = {"__init__.py", "_base.py", "core_set.py", "redcap.py"}
ROLES = {"definition", "record", "vector", "result"}


def _entries(folder: Path) -> tuple[set[str], set[str]]:
    """The ``.py`` files and the folders (other than caches) directly in ``folder``."""
    files = {p.name for p in folder.iterdir() if p.is_file() and p.suffix == ".py"}
    folders = {p.name for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"}
    return files, folders


def test_the_top_level_holds_only_the_base_redcap_core_set_and_one_subpackage_each() -> None:
    files, folders = _entries(PACKAGE)
    assert files == TOP_LEVEL_MODULES
    assert folders == set(INSTRUMENTS)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_instrument_has_the_four_roles_and_nothing_else_public(name: str) -> None:
    files, folders = _entries(PACKAGE / name)
    assert not folders
    stems = {Path(f).stem for f in files} - {"__init__"}
    assert "__init__.py" in files
    assert {s for s in stems if not s.startswith("_")} == ROLES


def _public(module: ModuleType) -> set[str]:
    return {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and not isinstance(value, ModuleType) and attr != "annotations"
    }


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_each_instrument_exports_exactly_its_all(name: str) -> None:
    package = importlib.import_module(f"clears.instruments.{name}")
    exported = package.__all__
    assert len(exported) == len(set(exported))
    assert all(hasattr(package, attr) for attr in exported)
    assert _public(package) == set(exported)


def test_the_tests_mirror_the_package() -> None:
    files, folders = _entries(TESTS)
    assert folders == set(INSTRUMENTS)
    assert files == {"test_layout.py", "test_core_set.py", "test_redcap.py"}
    for name in INSTRUMENTS:
        tested = {Path(f).stem for f in _entries(TESTS / name)[0]}
        assert all(t.startswith("test_") for t in tested), name
