"""Shared fixtures: a report of the bundled example cohort, and a headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from clears.cohort import read
from clears.report import Report, build_report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cohort"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def example_report() -> Report:
    return build_report(read(EXAMPLE), today=dt.date(2024, 1, 2))


def _install_chromium() -> str | None:
    """Install Debian's chromium with apt-get; return why it failed, or None."""
    try:
        for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not install chromium with apt-get: {exc}"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary; installed with apt-get when absent (fails on CI)."""
    if shutil.which("chromium") is None:
        reason = _install_chromium()
        if reason is not None or shutil.which("chromium") is None:
            message = reason or "chromium is still not on PATH after apt-get install"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
    return CHROMIUM
