"""Run the ``clears`` command from tests, shared by the CLI test files.

Two ways, both going through the same entry point as the installed command:

* :func:`clears_subprocess` starts ``python -m clears.cli.main`` in a child process, so exit
  codes, stdout and stderr are exactly what a user sees;
* :func:`clears` runs :func:`clears.cli.main.run` in this process (faster); output lands in
  pytest's ``capsys`` and the exit code is returned.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from clears.cli.main import run

__all__ = ["clears", "clears_subprocess"]


def clears_subprocess(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``clears *args`` in a child process, feeding ``stdin``; never raises on exit code."""
    return subprocess.run(
        [sys.executable, "-m", "clears.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def clears(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None) -> int:
    """Run ``clears *args`` in this process, feeding ``stdin``; return the exit code."""
    monkeypatch.setattr(sys, "argv", ["clears", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as done:
        run()
    code = done.value.code
    return 0 if code is None else int(code)
