"""`clears --help` stays fast: the command line imports no heavy library up front."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow  # over a second in --durations
def test_the_cli_imports_no_heavy_library_until_a_command_runs() -> None:
    code = (
        "import sys, clears.cli.main; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy', 'sqlalchemy', 'lifelines', "
        "'fastapi') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
