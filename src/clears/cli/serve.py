"""``clears serve``: run the web app (FastAPI under uvicorn) over a registry database.

Two ways to run it:

* production (the default): the secret key comes from ``CLEARS_SECRET_KEY`` and a missing,
  short or placeholder key is refused; session cookies are ``Secure`` (put it behind TLS);
* ``--dev``: one local run on this machine. Development mode with a random secret key made
  for this run and never stored, so sessions (and open forms) end when the server stops;
  cookies without ``Secure`` so that plain ``http://127.0.0.1`` works; refused unless
  ``--host`` is a loopback address.

Accounts live in the registry (``clears users``). A users file, the format accounts had
before, is no longer read: ``--users FILE`` (or ``$CLEARS_USERS_FILE``) is refused with the
command that moves it in (``clears users import``), and so is a ``./clears-users.json`` found
while the registry has no account yet; one found beside a registry that has accounts is
named in a warning (:func:`users_file_notice`). The address served is printed before
starting.

Cohort-wide work (outcome tables, the study report, exports) runs as background jobs in
worker processes, never in the server's threads: ``clears serve`` starts ``--job-workers``
of them (``clears jobs work``, default one; ``0`` when workers run elsewhere) and stops them
(SIGTERM, which hands a job in progress back to the queue) when it stops.

``--workers N`` runs N server processes (uvicorn's workers, each building the app with
:func:`worker_app` from the environment this command sets) on PostgreSQL, where sessions,
sign-in limits and API tokens already live in the database every process reads. On SQLite
more than one is refused: SQLite lets one process write at a time, so more processes only
wait for each other. The job workers watch this process (the supervisor of the server
processes) through ``CLEARS_JOB_PARENT``, as with one server process.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from fastapi import FastAPI, Request, Response

    from clears.web.settings import Settings

__all__ = [
    "LOOPBACK_NAMES",
    "WORKER_STOP_SECONDS",
    "is_loopback",
    "job_workers",
    "serve",
    "served_url",
    "server_workers_refusal",
    "users_file_notice",
    "worker_app",
]

#: The response header naming the server process that answered: test settings only (so a
#: test can tell two workers apart); never sent in production or development.
WORKER_PID_HEADER: Final = "x-clears-worker-pid"

#: Host names accepted as loopback besides loopback IP addresses.
LOOPBACK_NAMES: Final = frozenset({"localhost"})

#: Seconds a job worker gets to stop after SIGTERM before it is killed (a killed worker's
#: job is re-queued by the next worker once its heartbeat is stale).
WORKER_STOP_SECONDS: Final = 30.0


@contextmanager
def job_workers(
    url: str, count: int, *, retention_hours: float | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run ``count`` ``clears jobs work`` processes on ``url`` while the block runs
    (removing results ``retention_hours`` after their first download, when given).

    The URL reaches them in ``CLEARS_DB_URL``, never on a command line (which other users
    of the machine can read). On exit each gets SIGTERM, then SIGKILL after
    :data:`WORKER_STOP_SECONDS`.
    """
    from clears.cli.jobs import PARENT_ENV

    # The workers stop by themselves once this process is gone (``clears jobs work`` watches
    # it), since a server ended by a signal exits without reaching ``finally`` below.
    environment = os.environ | {"CLEARS_DB_URL": url, PARENT_ENV: str(os.getpid())}
    command = [sys.executable, "-m", "clears.cli.main", "jobs", "work"]
    if retention_hours is not None:
        command += ["--retention-hours", repr(float(retention_hours))]
    started = [subprocess.Popen(command, env=environment) for _ in range(count)]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_workers_refusal(count: int, url: str) -> str | None:
    """Why ``count`` server processes cannot serve the registry at ``url`` (``None`` if they can).

    Examples
    --------
    >>> server_workers_refusal(1, "sqlite:///c.db") is None
    True
    >>> server_workers_refusal(2, "postgresql+psycopg://h/clears") is None
    True
    >>> print(server_workers_refusal(2, "sqlite:///c.db"))
    is more than one server process on SQLite, which lets one process write at a time (they would only wait for each other); use PostgreSQL for several
    """  # noqa: E501
    import sqlalchemy as sa

    if count > 1 and sa.make_url(url).get_backend_name() == "sqlite":
        return (
            "is more than one server process on SQLite, which lets one process write at a "
            "time (they would only wait for each other); use PostgreSQL for several"
        )
    return None


def worker_app() -> FastAPI:
    """The app of one server process of ``clears serve --workers N``, from the environment
    (``CLEARS_*``, set by ``clears serve``); under test settings each answer names the
    process (:data:`WORKER_PID_HEADER`)."""
    from clears.registry import open_registry
    from clears.web.app import create_app
    from clears.web.settings import Settings

    settings = Settings()
    app = create_app(settings, engine=open_registry(settings.db_url))
    if settings.environment == "test":
        pid = str(os.getpid())

        @app.middleware("http")
        async def _name_the_process(request: Request, call_next: Any) -> Response:
            response: Response = await call_next(request)
            response.headers[WORKER_PID_HEADER] = pid
            return response

    return app


def _worker_environment(settings: Settings) -> dict[str, str]:
    """The ``CLEARS_*`` variables that give every server process these settings."""
    from clears.registry import resolve_url

    return {
        "CLEARS_DB_URL": resolve_url(settings.db_url),
        "CLEARS_SECRET_KEY": settings.secret_key.get_secret_value(),
        "CLEARS_ENVIRONMENT": settings.environment,
    }


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, ``127.x.x.x``, ``::1``).

    Examples
    --------
    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "example.org")]
    [True, True, True, False, False]
    """
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def served_url(host: str, port: int) -> str:
    """The URL a browser opens for ``host`` and ``port`` (IPv6 addresses in brackets).

    Examples
    --------
    >>> served_url("127.0.0.1", 8000), served_url("::1", 8080)
    ('http://127.0.0.1:8000/', 'http://[::1]:8080/')
    """
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _users_file(given: Path | None) -> Path | None:
    """``--users``, else ``$CLEARS_USERS_FILE``, else ``./clears-users.json`` if it exists."""
    from clears.web._users_file import DEFAULT_USERS_FILE, USERS_FILE_ENV

    if given is not None:
        return given
    if os.environ.get(USERS_FILE_ENV, "").strip():
        return None  # Settings reads the variable itself
    return DEFAULT_USERS_FILE if DEFAULT_USERS_FILE.exists() else None


def users_file_notice(
    file: Path | None, *, named: bool, accounts: int, url: str
) -> tuple[str | None, str]:
    """What ``clears serve`` says about accounts: ``(refusal, line)``.

    ``file`` is the users file found (``named``: given by ``--users`` or
    ``$CLEARS_USERS_FILE``, else the default file in the working folder), ``accounts``
    the registry's count and ``url`` its shown URL. A refusal stops the server with the
    way forward; otherwise ``line`` is printed (a warning when it starts ``warning:``).

    Examples
    --------
    >>> users_file_notice(None, named=False, accounts=2, url="sqlite:///c.db")
    (None, 'Users: 2 account(s) in the registry')
    >>> users_file_notice(Path("u.json"), named=True, accounts=0, url="sqlite:///c.db")[0]
    "the users file u.json is no longer read: accounts live in the registry, and sqlite:///c.db has none yet; move the file's accounts in with 'clears users import u.json --db sqlite:///c.db', then start clears serve without --users (or $CLEARS_USERS_FILE)"
    """  # noqa: E501
    import shlex

    if file is not None and (named or accounts == 0):
        move = f"'clears users import {shlex.quote(str(file))} --db {shlex.quote(url)}'"
        if accounts == 0:
            reason = f"accounts live in the registry, and {url} has none yet"
            forward = f"move the file's accounts in with {move}, then start"
        else:
            reason = f"accounts live in the registry, and {url} has {accounts}"
            forward = f"to add the file's accounts run {move} (taken names are refused); start"
        return (
            f"the users file {file} is no longer read: {reason}; {forward} clears serve "
            "without --users (or $CLEARS_USERS_FILE)",
            "",
        )
    if file is not None:
        return None, (
            f"warning: {file} is no longer read ({accounts} account(s) are in the registry); "
            "delete it once 'clears users list' shows its users"
        )
    if accounts == 0:
        return None, (
            "warning: the registry has no account, so nobody can sign in; create one with "
            f"'clears users add NAME --role administrator --all-centres --db {shlex.quote(url)}'"
        )
    return None, f"Users: {accounts} account(s) in the registry"


def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", envvar="CLEARS_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", envvar="CLEARS_PORT", min=1, max=65535, help="Port to listen on."),
    ] = 8000,
    users: Annotated[
        Path | None,
        typer.Option(
            "--users",
            help=(
                "A users file: no longer read (accounts are in the registry); the server "
                "refuses it and names the 'clears users import' command that moves it in."
            ),
            show_default=False,
        ),
    ] = None,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help=(
                "One local run: development mode, a random secret key for this run only "
                "(sessions end when the server stops), plain-HTTP cookies; loopback host only."
            ),
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--job-workers",
            min=0,
            help="Job worker processes to start (0: jobs are run by 'clears jobs work' elsewhere).",
        ),
    ] = 1,
    server_workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes (more than one needs PostgreSQL).",
        ),
    ] = 1,
) -> None:
    """Serve the web app: sign-in, patients, visits, decision support, cohort, JSON API.

    Without --dev the secret key comes from CLEARS_SECRET_KEY (a placeholder is refused
    unless CLEARS_ENVIRONMENT=development); the database must exist (clears db init).
    Outcome tables, reports and exports run in --job-workers background processes.
    """
    import secrets

    import uvicorn
    from pydantic import ValidationError

    from clears._exceptions import InputError, Problem
    from clears.registry import resolve_url
    from clears.web.app import create_app
    from clears.web.settings import Settings

    if dev and not is_loopback(host):
        raise InputError(
            Problem(
                "host",
                host,
                "is not a loopback address; --dev serves plain HTTP to this machine only",
                "127.0.0.1, ::1 or localhost (use CLEARS_SECRET_KEY and TLS for other hosts)",
            )
        )
    overrides: dict[str, object] = {}
    if db is not None:
        overrides["db_url"] = db
    users_file = _users_file(users)
    if users_file is not None:
        overrides["users_file"] = users_file
    if dev:
        overrides["environment"] = "development"
        overrides["secret_key"] = secrets.token_urlsafe(48)
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InputError(
            [
                Problem(".".join(str(p) for p in e["loc"]) or "settings", None, e["msg"])
                for e in exc.errors()
            ]
        ) from exc
    refused = server_workers_refusal(server_workers, resolve_url(settings.db_url))
    if refused is not None:
        raise InputError(Problem("--workers", server_workers, refused, "1 on SQLite"))
    from clears._exceptions import ClearsError
    from clears.registry import (
        count_accounts,
        hold,
        open_registry,
        shown_url,
        transaction,
    )

    # Held for as long as the server runs (from before its first connection), so that
    # clears db restore refuses meanwhile.
    with hold(settings.db_url, exclusive=False):
        # One line naming the URL if the registry is missing, unreadable or not initialised.
        engine = open_registry(settings.db_url)
        with transaction(engine, write=False) as session:
            accounts = count_accounts(session)
        refusal, line = users_file_notice(
            settings.users_file,
            named=users is not None or settings.users_file != users_file,
            accounts=accounts,
            url=shown_url(resolve_url(settings.db_url)),
        )
        if refusal is not None:
            engine.dispose()
            raise ClearsError(refusal)
        typer.echo(line, err=line.startswith("warning:"))
        app = create_app(settings, engine=engine)
        if dev:
            typer.echo(
                "Development mode (--dev): a random secret key for this run only; sessions "
                "end when the server stops. Not for production."
            )
        typer.echo(f"Serving the clears web app on {served_url(host, port)} (Ctrl+C stops it)")
        typer.echo(f"Job workers: {workers}" + ("" if workers else " (run 'clears jobs work')"))
        if server_workers > 1:
            typer.echo(f"Server processes: {server_workers}")
        with job_workers(
            resolve_url(settings.db_url), workers, retention_hours=settings.job_retention_hours
        ):
            # X-Forwarded-For is believed only from CLEARS_TRUSTED_PROXIES (none by default).
            if server_workers == 1:
                uvicorn.run(
                    app, host=host, port=port, log_level="info", **settings.server_proxy_options()
                )
                return
            # Each process builds its own app from the environment (the settings this command
            # resolved, a --dev key included: the processes must share it).
            engine.dispose()
            os.environ.update(_worker_environment(settings))
            uvicorn.run(
                "clears.cli.serve:worker_app",
                factory=True,
                workers=server_workers,
                host=host,
                port=port,
                log_level="info",
                **settings.server_proxy_options(),
            )
