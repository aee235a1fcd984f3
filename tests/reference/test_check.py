"""The fixture checker (tests/reference/check.py) reports drift and nothing else."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest


def _checker() -> ModuleType:
    path = Path(__file__).with_name("check.py")
    spec = importlib.util.spec_from_file_location("reference_check", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_differences_within_and_beyond_tolerance() -> None:
    differences = _checker().differences
    old = {"meta": {"r_version": "4.2.2"}, "a": [1.0, None, "x"], "b": {"c": 0.0}}
    # a change in the 12th significant digit is within rtol 1e-8; meta is not compared
    same = {"meta": {"r_version": "4.4.1"}, "a": [1.000000000001, None, "x"], "b": {"c": 1e-13}}
    assert differences(old, same) == []
    drifted = {"meta": {}, "a": [1.0001, 2.0, "y"], "b": {}}
    found = differences(old, drifted)
    assert found == [
        "$.a[0]: 1.0 committed, 1.0001 now",
        "$.a[1]: None committed, 2.0 now",
        "$.a[2]: 'x' committed, 'y' now",
        "$.b.c: only in committed",
    ]
    assert differences({"a": [1, 2]}, {"a": [1]}) == ["$.a: length 2 committed, 1 now"]


def test_install_that_fails_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checker = _checker()
    monkeypatch.setattr(checker, "_install", lambda: "no R: apt-get update -qq failed: offline")
    assert checker.main(["--install"]) == 2
    assert "no R: apt-get update -qq failed: offline" in capsys.readouterr().err


def test_the_checker_installs_every_package_its_scripts_load() -> None:
    # Each library(...) of a reference script is in PACKAGES, so --install gives R all it needs.
    loaded = {
        name
        for script in Path(__file__).parent.glob("*.R")
        for name in re.findall(r"library\((\w+)\)", script.read_text(encoding="utf-8"))
    }
    assert loaded
    assert loaded <= set(_checker().PACKAGES)


@pytest.mark.slow
def test_committed_survival_fixture_regenerates_unchanged() -> None:
    # Runs R: survival.R must reproduce survival.json within the checker's tolerance.
    # R and the survival package come from Debian when missing, as for every R test
    # (tests/_system.py); without them the test skips locally and fails in CI.
    from tests._system import r_package

    checker = _checker()
    rscript = r_package("survival")
    assert checker.check(Path(__file__).with_name("survival.R"), rscript, update=False) == []
