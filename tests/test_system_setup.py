"""The one module that installs system packages for the tests (``tests/_system.py``)."""

from __future__ import annotations

import pytest
from tests import _system


def test_a_missing_package_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _system.unavailable("no chromium")


@pytest.mark.parametrize("value", ["true", "TRUE"])
def test_a_missing_package_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="no chromium"):
        _system.unavailable("no chromium")


def test_without_apt_get_the_reason_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_system.shutil, "which", lambda name: None)
    monkeypatch.setattr(_system, "_tried", {})
    assert _system.install("postgresql") == "postgresql is not installed and there is no apt-get"


def test_an_install_is_tried_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(package: str) -> str:
        calls.append(package)
        return "apt-get update -qq failed: offline"

    monkeypatch.setattr(_system, "_apt_install", fake)
    monkeypatch.setattr(_system, "_tried", {})
    assert _system.install("chromium") == _system.install("chromium")
    assert calls == ["chromium"]


def test_r_and_each_missing_r_package_are_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without Rscript, r-base-core comes first; then r-cran-<name> for each package R
    # cannot load (here metafor; survival already loads).
    installed: list[str] = []
    have = {"survival"}

    def fake_install(package: str) -> None:
        installed.append(package)
        if package.startswith("r-cran-"):
            have.add(package.removeprefix("r-cran-"))

    monkeypatch.setattr(_system, "install", fake_install)
    monkeypatch.setattr(_system.shutil, "which", lambda name: None)
    monkeypatch.setattr(_system, "_r_has", lambda package: package in have)
    assert _system.install_r(["survival", "metafor"]) is None
    assert installed == ["r-base-core", "r-cran-metafor"]


def test_an_r_install_that_fails_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_system, "install", lambda package: f"apt-get install {package} failed")
    monkeypatch.setattr(_system.shutil, "which", lambda name: "/usr/bin/Rscript")
    monkeypatch.setattr(_system, "_r_has", lambda package: False)
    reason = _system.install_r(["lme4"])
    assert reason == "no R package lme4: apt-get install r-cran-lme4 failed"
