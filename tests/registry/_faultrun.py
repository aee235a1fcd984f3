"""Shared steps of the fault-injection tests: run a command to a stop, kill it, read the state."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry import audit
from clears.registry.audit_key import resolve_audit_key

REPO = Path(__file__).parents[2]
KILLPOINT = Path(__file__).with_name("_killpoint.py")
ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}


@dataclass(frozen=True)
class Ended:
    """How a child ended: killed at its stop, or finished with a code and its stderr."""

    killed: bool
    code: int
    stderr: str


def run_to(spec: str, args: list[str], cwd: Path, *, script: str | None = None) -> Ended:
    """Run ``clears ARGS`` (or ``python -c script ARGS``) stopped at ``spec``; SIGKILL it there."""
    ready = cwd / f"ready-{time.monotonic_ns()}"
    if script is None:
        argv = [sys.executable, str(KILLPOINT), spec, str(ready), *args]
    else:
        argv = [sys.executable, "-c", script, spec, str(ready), *args]
    child = subprocess.Popen(
        argv, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 180
    while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if ready.exists():
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.stderr is not None
        child.stderr.close()
        ready.unlink()
        return Ended(True, child.returncode, "")
    _, stderr = child.communicate(timeout=60)
    return Ended(False, child.returncode, stderr)


def state(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a SQLite file (as a fresh process would read it)."""
    with sqlite3.connect(path) as raw:
        tables = [
            str(r[0])
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {
            t: sorted(raw.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    raw.close()
    return found


def shape(rows: dict[str, list[tuple[object, ...]]]) -> dict[str, int]:
    """Rows per table: what two runs of the same command agree on (times and hashes differ)."""
    return {table: len(found) for table, found in rows.items()}


def chain_ok(path: Path, key_of: Path | None = None) -> bool:
    """Whether the audit chain of the SQLite file verifies (with the key of ``key_of``)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            key = resolve_audit_key(f"sqlite:///{key_of or path}")
            return audit.verify(session, key=key).ok
    finally:
        engine.dispose()
