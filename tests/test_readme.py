"""The README's promises: two set-up commands, and a Python example that runs."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```\s*\n(.+?)\n```", README, re.S)
    assert match, f"README has no command after <!-- {marker} -->"
    return match.group(1).strip()


def test_two_commands_share_one_setup_and_ci_runs_the_test_command() -> None:
    main, test = _command_after("main-command"), _command_after("test-command")
    setup = "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e '.[dev]'"
    assert main.startswith(setup)
    assert main.endswith("clears demo")
    assert test.startswith(setup)
    assert "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci


@pytest.mark.slow
def test_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    block = re.search(r"```python\n(.+?)\n```", README, re.S)
    assert block
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        # The example pools studies with zero cells: the continuity-correction warning is
        # expected there and is not what this test checks.
        warnings.simplefilter("ignore")
        exec(compile(block.group(1), "README.md", "exec"), namespace)
    result = namespace["result"]
    assert (result.activity, result.damage, result.severity) == (17, 12, "moderate")  # type: ignore[attr-defined]
