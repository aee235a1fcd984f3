"""Run the real ``clears`` command in a child process that stops at a named point, to be killed.

``python tests/registry/_killpoint.py SPEC READY ARGS...`` arms one stop, then runs
``clears ARGS...`` (:func:`clears.cli.main.run`). When the stop is reached the child writes
the file ``READY`` and sleeps, and the test sends it ``SIGKILL``. Nothing in ``src/`` knows
about it: the stops are SQLAlchemy events and wrappers of standard-library calls.

``SPEC`` is one of:

``execute:N``
    before the N-th SQL statement sent to the database;
``insert:N``
    before the N-th INSERT statement (rows of the transaction are being written);
``commit:N``
    before the N-th COMMIT is sent (the transaction is complete but not committed);
``committed:N``
    after the N-th session commit returned;
``call:NAME:N`` / ``after:NAME:N``
    before / after the N-th call of ``os.NAME`` (``replace``, ``link``, ``unlink``, ``fsync``);
``count``
    no stop; at exit, print the number of statements executed to standard error;
``fsize:BYTES``
    no stop; files this process writes may not grow beyond ``BYTES`` (``RLIMIT_FSIZE``; a
    disk that fills up), writes beyond fail with ``EFBIG``;
``pages:N``
    no stop; every SQLite connection may grow its database to at most N pages
    (``PRAGMA max_page_count``; a full disk as SQLite sees it).
"""

from __future__ import annotations

import atexit
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session


def _stop(ready: Path) -> None:
    ready.write_text(str(os.getpid()))
    while True:  # until SIGKILL
        time.sleep(60)


def _counting(limit: int, action: Callable[[], None]) -> Callable[..., None]:
    seen = [0]

    def hook(*_args: Any, **_kwargs: Any) -> None:
        seen[0] += 1
        if seen[0] == limit:
            action()

    return hook


def arm(spec: str, ready: Path) -> None:
    """Install the stop (or limit) ``spec`` in this process."""
    kind, _, rest = spec.partition(":")

    def stop() -> None:
        _stop(ready)

    if kind == "execute":
        event.listen(sa.Engine, "before_cursor_execute", _counting(int(rest), stop))
    elif kind == "insert":
        hook = _counting(int(rest), stop)

        def before_insert(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("INSERT"):
                hook()

        event.listen(sa.Engine, "before_cursor_execute", before_insert)
    elif kind == "commit":
        event.listen(sa.Engine, "commit", _counting(int(rest), stop))
    elif kind == "committed":
        event.listen(Session, "after_commit", _counting(int(rest), stop))
    elif kind in ("call", "after"):
        name, _, count = rest.partition(":")
        original = getattr(os, name)
        hook = _counting(int(count), stop)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if kind == "call":
                hook()
            result = original(*args, **kwargs)
            if kind == "after":
                hook()
            return result

        setattr(os, name, wrapped)
    elif kind == "count":
        seen = [0]

        def count_one(*_args: Any, **_kwargs: Any) -> None:
            seen[0] += 1

        event.listen(sa.Engine, "before_cursor_execute", count_one)
        atexit.register(lambda: sys.stderr.write(f"STATEMENTS {seen[0]}\n"))
    elif kind == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        limit = int(rest)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    elif kind == "pages":

        def limit_pages(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count={int(rest)}")

        event.listen(sa.Engine, "connect", limit_pages)
    else:  # pragma: no cover - a typo in a test
        raise SystemExit(f"unknown stop {spec!r}")


def main() -> None:
    """``_killpoint.py SPEC READY ARGS...``: arm, then run ``clears ARGS...``."""
    spec, ready, *args = sys.argv[1:]
    arm(spec, Path(ready))
    from clears.cli.main import run

    sys.argv = ["clears", *args]
    run()


if __name__ == "__main__":
    main()
