"""Re-run every ``tests/reference/*.R`` and fail when a fixture differs from the committed one.

Each script ``<name>.R`` writes its expected values to ``<name>.json``; run from the
repository root, it is given the output path as its first argument. This checker runs each
script into a temporary folder and compares the new JSON with the committed
``tests/reference/<name>.json``: the same keys and list lengths, equal strings, booleans and
nulls, and numbers within a relative tolerance of 1e-8 (absolute 1e-12 near zero), which
allows another BLAS or platform but not a changed result. The top-level ``meta`` block
(R and package versions) is not compared. A script that ignores the argument and rewrites
its fixture in place is compared with the committed version (``git show HEAD:...``).

Usage::

    python tests/reference/check.py            # compare; exit 1 on drift, 2 without R
    python tests/reference/check.py --install  # first install R and PACKAGES when missing
    python tests/reference/check.py --update   # rewrite the fixtures in place

``--install`` goes through the tests' one installer of system packages
(``tests/_system.py``: Debian's ``r-base-core`` and ``r-cran-<name>``, with ``sudo -n`` when
not root); CI runs the check that way.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RTOL = 1e-8
ATOL = 1e-12
TIMEOUT = 600  # seconds per script
IGNORED = frozenset({"meta"})
#: The R packages the scripts load (tests/reference/README.md).
PACKAGES = ["survival", "metafor", "lme4", "jsonlite"]


def differences(old: Any, new: Any, path: str = "$") -> list[str]:
    """Paths at which ``new`` differs from ``old`` beyond the tolerance."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        keys = set(old) | set(new)
        if path == "$":
            keys -= IGNORED
        for key in sorted(keys):
            if key not in old or key not in new:
                out.append(f"{path}.{key}: only in {'new' if key in new else 'committed'}")
            else:
                out += differences(old[key], new[key], f"{path}.{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: length {len(old)} committed, {len(new)} now"]
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(old, numbers)
        and isinstance(new, numbers)
        and not isinstance(old, bool)
        and not isinstance(new, bool)
    ):
        if math.isclose(old, new, rel_tol=RTOL, abs_tol=ATOL):
            return []
        return [f"{path}: {old!r} committed, {new!r} now"]
    if old != new:
        return [f"{path}: {old!r} committed, {new!r} now"]
    return []


def _committed(fixture: Path) -> Any:
    relative = fixture.relative_to(ROOT).as_posix()
    shown = subprocess.run(
        ["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        return None
    return json.loads(shown.stdout)


def check(script: Path, rscript: str, update: bool) -> list[str]:
    """Run one script; return its differences (empty when the fixture is unchanged)."""
    fixture = script.with_suffix(".json")
    with tempfile.TemporaryDirectory() as tmp:
        target = fixture if update else Path(tmp) / fixture.name
        run = subprocess.run(
            [rscript, str(script.relative_to(ROOT)), str(target)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if run.returncode != 0:
            return [f"{script.name} failed (exit {run.returncode}):\n{run.stderr.strip()}"]
        if update:
            return []
        if target.exists():
            new = json.loads(target.read_text(encoding="utf-8"))
            if not fixture.exists():
                return [f"{fixture.name}: not committed (run with --update and commit it)"]
            old = json.loads(fixture.read_text(encoding="utf-8"))
        else:  # the script wrote its fixture in place
            new = json.loads(fixture.read_text(encoding="utf-8"))
            old = _committed(fixture)
            if old is None:
                return [f"{fixture.name}: not committed"]
    return differences(old, new)


def _install() -> str | None:
    """Install R and :data:`PACKAGES` through ``tests/_system.py``; None when done."""
    if str(ROOT) not in sys.path:  # run as a script, the repository root is not importable
        sys.path.insert(0, str(ROOT))
    from tests import _system

    return _system.install_r(PACKAGES)


def main(argv: list[str] | None = None) -> int:
    """Check (or with ``--update`` rewrite) every fixture; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the fixtures in place")
    parser.add_argument(
        "--install",
        action="store_true",
        help="install R and the R packages from Debian first when they are missing",
    )
    args = parser.parse_args(argv)
    if args.install:
        reason = _install()
        if reason is not None:
            print(f"cannot install R for the reference check: {reason}", file=sys.stderr)
            return 2
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript not found: install r-base-core and the R packages", file=sys.stderr)
        return 2
    scripts = sorted(HERE.glob("*.R"))
    failed = False
    for script in scripts:
        found = check(script, rscript, args.update)
        status = "updated" if args.update and not found else ("ok" if not found else "DRIFT")
        print(f"{script.relative_to(ROOT)}: {status}")
        for line in found[:30]:
            print(f"  {line}")
        if len(found) > 30:
            print(f"  ... and {len(found) - 30} more")
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
