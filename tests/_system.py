"""System packages the tests need (Debian's ``chromium`` and ``postgresql``), installed once.

Every test that needs a system program gets it through here, so the install is written once:
:func:`install` runs ``apt-get update`` and ``apt-get install`` (through ``sudo -n`` when not
root) and returns why it could not; :func:`unavailable` turns a reason into a visible skip,
or into a failure when ``CI=true`` (in CI nothing may skip for lack of a package);
:func:`chromium` is the browser every Playwright test drives. The PostgreSQL server of the
registry tests (``tests/registry/_postgres.py``) installs its package with :func:`install`;
:func:`install_r` gives R and its packages to the R tests and to the fixture check that CI
runs (``tests/reference/check.py --install``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: Debian's chromium; Playwright drives it, the browser is never downloaded.
CHROMIUM = "/usr/bin/chromium"
#: Seconds an ``apt-get`` step may take.
TIMEOUT = 900

_tried: dict[str, str | None] = {}


def on_ci() -> bool:
    """Whether the tests run in continuous integration (``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip the test with ``reason``, or fail it in CI."""
    if on_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def install(package: str) -> str | None:
    """Install the Debian ``package`` with apt-get; None when done, else the reason it failed.

    Tried once per test run: a second call returns the first outcome.
    """
    if package not in _tried:
        _tried[package] = _apt_install(package)
    return _tried[package]


def _apt_install(package: str) -> str | None:
    if shutil.which("apt-get") is None:
        return f"{package} is not installed and there is no apt-get"
    sudo: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return f"{package} is not installed and apt-get needs root (no sudo)"
        sudo = ["sudo", "-n"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        try:
            done = subprocess.run(
                [*sudo, *step],
                capture_output=True,
                text=True,
                env=env,
                check=False,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"{' '.join(step)} failed: {exc}"
        if done.returncode != 0:
            return f"{' '.join(step)} failed: {done.stderr.strip()[-500:]}"
    return None


def chromium() -> str:
    """Path of Debian's chromium, installed when missing; skips (fails in CI) without it."""
    if not Path(CHROMIUM).exists():
        reason = install("chromium")
        if reason is not None:
            unavailable(f"no Debian chromium for the browser tests: {reason}")
        if not Path(CHROMIUM).exists():
            unavailable(f"no Debian chromium for the browser tests: {CHROMIUM} not found")
    return CHROMIUM


def r_package(package: str) -> str:
    """Path of ``Rscript`` with the R package ``package`` loadable, installing Debian's
    ``r-cran-<package>`` (and R) when missing; skips (fails in CI) without them."""
    reason = install_r([package])
    if reason is not None:
        unavailable(f"no R package {package} for the R tests: {reason}")
    rscript = shutil.which("Rscript")
    if rscript is None or not _r_has(package):
        unavailable(f"no R package {package} for the R tests: not loadable after installing")
    assert rscript is not None
    return rscript


def install_r(packages: list[str]) -> str | None:
    """Install R and Debian's ``r-cran-<name>`` for each R package of ``packages`` that R
    cannot load; None when every one loads afterwards, else the reason."""
    if shutil.which("Rscript") is None:
        reason = install("r-base-core")
        if reason is not None:
            return f"no R: {reason}"
    for package in packages:
        if not _r_has(package):
            reason = install(f"r-cran-{package.lower()}")
            if reason is not None:
                return f"no R package {package}: {reason}"
            if not _r_has(package):
                return f"no R package {package}: not loadable after installing"
    return None


def _r_has(package: str) -> bool:
    """Whether R loads ``package`` (False when R itself is missing)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return False
    check = [rscript, "-e", f"quit(status = !requireNamespace('{package}', quietly = TRUE))"]
    return subprocess.run(check, capture_output=True, timeout=120, check=False).returncode == 0
