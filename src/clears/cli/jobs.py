"""``clears jobs list|show|download|cancel|submit|work``: the registry's background jobs.

Jobs (the cohort outcome table, the study report, exports) are submitted from the web app and
run by a worker process: ``clears serve`` starts one; ``clears jobs work`` runs one on its
own (another machine, or more of them). The command line acts network-wide, so it sees every
job. ``work`` stops cleanly on SIGTERM or Ctrl+C: a job in progress goes back to the queue at
its next progress report and the next worker starts it again.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from clears.cli.db import DbOption

__all__ = ["app", "describe"]

app = typer.Typer(
    help="Background jobs: list, show, download, cancel, submit, and run a worker.",
    no_args_is_help=True,
)

JobId = Annotated[
    int, typer.Argument(help="The job's number (clears jobs list).", min=1, max=2**31 - 1)
]


def _actor() -> Any:
    from clears.registry import Actor

    return Actor.everywhere(getpass.getuser())


def describe(job: Any) -> str:
    """One line about a job: number, kind, status, progress and phase, submitter."""
    parameters = " ".join(f"{k}={json.dumps(v)}" for k, v in sorted(job.parameters.items()))
    line = (
        f"{job.id:>5}  {job.kind:<8} {job.status:<9} {job.progress * 100:5.1f}%  "
        f"{job.phase}  [{parameters}] by {job.submitted_by}"
    )
    if job.error:
        line += f"  error: {job.error}"
    return line


@app.command("list")
def list_(
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """List the jobs, newest first."""
    from clears.registry import jobs, open_registry, transaction

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            found = jobs.list_jobs(session, actor=_actor(), limit=limit)
    finally:
        engine.dispose()
    if format == "json":
        typer.echo(json.dumps([j.to_dict() for j in found], indent=2))
        return
    for job in found:
        typer.echo(describe(job))


@app.command("show")
def show(job_id: JobId, db: DbOption = None) -> None:
    """Show one job as JSON (status, progress, timestamps, result name and size)."""
    from clears.registry import jobs, open_registry, transaction

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            job = jobs.get(session, actor=_actor(), job_id=job_id)
    finally:
        engine.dispose()
    typer.echo(json.dumps(job.to_dict(), indent=2))


@app.command("download")
def download(
    job_id: JobId,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write the result to.")],
    db: DbOption = None,
) -> None:
    """Write a finished job's result to a file (the download is recorded)."""
    from clears.registry import jobs, open_registry, transaction

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            result = jobs.take_result(session, actor=_actor(), job_id=job_id)
            out.write_bytes(result.data)
    finally:
        engine.dispose()
    typer.echo(f"{out} ({len(result.data)} bytes, {result.name})")


@app.command("cancel")
def cancel(job_id: JobId, db: DbOption = None) -> None:
    """Cancel a queued or running job (a running one stops at its next progress report)."""
    from clears.registry import jobs, open_registry, transaction

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            job = jobs.cancel(session, actor=_actor(), job_id=job_id)
    finally:
        engine.dispose()
    typer.echo(describe(job))


def _parameter(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` of ``--param``: a JSON value (true, false, ["a", "b"]) or else text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"{text!r} is not NAME=VALUE (e.g. format=docx)")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


@app.command("submit")
def submit(
    kind: Annotated[str, typer.Argument(help="outcomes, report or export.")],
    db: DbOption = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE, repeatable: criteria=cortes2012, format=docx, deidentified=true.",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the job, printing its progress to stderr.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="With --wait: write the result here.")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="With --wait: give up after seconds.")
    ] = 3600.0,
) -> None:
    """Queue a job (every centre) for the workers; print its number, or wait for it.

    Example: clears jobs submit report -p format=docx --wait --out report.docx
    """
    from clears.registry import jobs, open_registry, transaction

    parameters = dict(_parameter(p) for p in (param or []))
    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            job = jobs.submit(session, actor=_actor(), kind=kind, parameters=parameters)
        typer.echo(describe(job))
        if wait:
            job = _wait(engine, job.id, timeout)
            if job.status != "done":
                raise _failed(job)
            if out is not None:
                with transaction(engine) as session:
                    result = jobs.take_result(session, actor=_actor(), job_id=job.id)
                out.write_bytes(result.data)
                typer.echo(f"{out} ({len(result.data)} bytes, {result.name})")
    finally:
        engine.dispose()


def _failed(job: Any) -> Exception:
    from clears._exceptions import ClearsError

    return ClearsError(f"job {job.id} {job.status}: {job.error or job.phase}")


def _wait(engine: Any, job_id: int, timeout: float) -> Any:
    """Poll the job until it ends, writing each new phase and percentage to stderr."""
    import time

    from clears._exceptions import ClearsError
    from clears.registry import jobs, transaction

    deadline = time.monotonic() + timeout
    shown = ""
    while True:
        with transaction(engine, write=False) as session:
            job = jobs.get(session, actor=_actor(), job_id=job_id)
        line = f"job {job.id}: {job.status} {job.progress * 100:3.0f}% {job.phase}"
        if line != shown:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            shown = line
        if not job.active:
            return job
        if time.monotonic() > deadline:
            raise ClearsError(
                f"job {job_id} is still {job.status} after {timeout:g} s; is a worker running "
                "(clears serve, or clears jobs work)? It stays queued: clears jobs show "
                f"{job_id}"
            )
        time.sleep(0.5)


@app.command("work")
def work(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run the queued jobs, then exit (no waiting).")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", min=0.05, help="Seconds between looks at an empty queue.")
    ] = 1.0,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=0.05, help="Seconds between heartbeats.")
    ] = 5.0,
    stale_after: Annotated[
        float,
        typer.Option(
            "--stale-after",
            min=0.1,
            help="A running job without a heartbeat for this many seconds is re-queued.",
        ),
    ] = 60.0,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Fail a job after this many attempts.")
    ] = 3,
    retention_hours: Annotated[
        float,
        typer.Option(
            "--retention-hours",
            envvar="CLEARS_JOB_RETENTION_HOURS",
            min=0.0,
            help="Remove results this many hours after their first download.",
        ),
    ] = 168.0,
    warm: Annotated[
        bool | None,
        typer.Option(
            "--warm-up/--no-warm-up",
            help="Build a small report first so the first job does not pay the start-up "
            "(default: on, off with --once).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a worker: claim queued jobs one at a time, run them, store their results.

    Each job runs in a child process of the worker (its memory is given back when it
    ends; a cancel stops it at once). Stops on SIGTERM or Ctrl+C, handing a job in progress
    back to the queue.
    """
    from clears.registry import JobWorker, hold, open_registry, shown_url
    from clears.web._job_runners import RUNNERS, warm_up

    with hold(db, exclusive=False):  # clears db restore refuses while a worker runs
        engine = open_registry(db)
        worker = JobWorker(
            engine,
            RUNNERS,
            heartbeat=heartbeat,
            poll=poll,
            stale_after=dt.timedelta(seconds=stale_after),
            max_attempts=max_attempts,
            retention=dt.timedelta(hours=retention_hours),
            isolate=True,  # each job in a child process: its memory returns when it ends
        )
        try:
            with _stopped_by_signals(worker.stop), _stopped_with_parent(worker.stop):
                if warm if warm is not None else not once:
                    warm_up()  # a stop asked meanwhile ends the loop before any claim
                sys.stderr.write(
                    f"clears jobs worker on {shown_url(engine.url)} (SIGTERM stops it)\n"
                )
                sys.stderr.flush()
                count = worker.loop(once=once)
        finally:
            engine.dispose()
    sys.stderr.write(f"clears jobs worker stopped after {count} job(s)\n")


#: Set by ``clears serve`` to its own process id in the environment of the workers it starts.
PARENT_ENV: Final = "CLEARS_JOB_PARENT"


@contextmanager
def _stopped_with_parent(stop: threading.Event, *, every: float = 1.0) -> Iterator[None]:
    """Set ``stop`` once the ``clears serve`` that started this worker (:data:`PARENT_ENV`)
    is gone: a server stopped by a signal exits without running its clean-up (uvicorn
    raises the signal again once it has shut down), and a worker must not outlive it."""
    expected = os.environ.get(PARENT_ENV, "")
    if not expected.isdigit():
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(every):
            if os.getppid() != int(expected):
                stop.set()
                return

    watcher = threading.Thread(target=watch, name="clears-parent-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` while the block runs (then the old handlers return)."""

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
