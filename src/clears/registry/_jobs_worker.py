"""The worker loop: claim a job, run it with a heartbeat, store its result.

The loop runs in its own process (``clears jobs work``, or the child ``clears serve``
starts): a CPU-bound report in a thread of the web server would hold the interpreter lock
and slow every request. What each kind of job does is passed in (``runners``, built by the
interface layer from :mod:`clears.report`, the exports and :mod:`clears.outcomes`), so the
registry never imports the layers above it.

Each turn of the loop first re-queues the jobs whose worker died (:func:`jobs.requeue_stale`)
and removes results past their retention (:func:`jobs.purge`), then claims one job. While a
job runs, a heartbeat thread of the worker renews its ``heartbeat_at``; the runner reports
progress through a callback, which also stops the run (:class:`Stopped`) when the job was
cancelled or the worker was asked to stop. A worker asked to stop (SIGTERM) hands its job
back to the queue at the next progress report and exits.

With ``isolate=True`` (what ``clears jobs work`` uses) each job runs in a child process forked
from the worker: the memory a 100,000-patient report takes is given back when the child
ends, a job that crashes its process (killed for lack of memory) fails with the reason
while the worker goes on, and a cancel or a stop ends the child at once instead of at the
next progress report. The child inherits what the worker has already imported.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.registry import _engine, jobs
from clears.registry._engine import RegistryBusyError, make_engine, transaction

__all__ = ["Progress", "Runner", "Stopped", "Worker"]

#: Called by a runner: fraction done (0-1) and a short phase text.
Progress = Callable[[float, str], None]

#: Runs one job: the engine to read the registry with, the claimed job, the callback.
Runner = Callable[[sa.Engine, jobs.Job, Progress], jobs.JobResult]

_HEARTBEAT: Final = 5.0

#: Times a finished job's result is offered to a busy registry before the worker gives up
#: (the job is then re-queued once its heartbeat is stale).
_STORE_TRIES: Final = 5


class Stopped(Exception):  # noqa: N818 - control flow inside a run
    """The run must stop: the job was cancelled, or the worker is stopping."""


@dataclass
class Worker:
    """One worker: its registry, what it runs, and its timings.

    Parameters
    ----------
    engine
        The registry.
    runners
        Job kind -> runner.
    heartbeat
        Seconds between heartbeats of a running job.
    poll
        Seconds to wait when the queue is empty.
    stale_after, max_attempts
        Passed to :func:`jobs.requeue_stale`.
    retention
        Passed to :func:`jobs.purge`.
    """

    engine: sa.Engine
    runners: Mapping[str, Runner]
    heartbeat: float = _HEARTBEAT
    poll: float = 1.0
    stale_after: dt.timedelta = jobs.DEFAULT_STALE_AFTER
    max_attempts: int = jobs.DEFAULT_MAX_ATTEMPTS
    retention: dt.timedelta = jobs.DEFAULT_RETENTION
    stop: threading.Event = field(default_factory=threading.Event)
    isolate: bool = False

    def housekeeping(self) -> None:
        """Re-queue the jobs of dead workers and remove expired results."""
        with transaction(self.engine) as session:
            jobs.requeue_stale(
                session, stale_after=self.stale_after, max_attempts=self.max_attempts
            )
            jobs.purge(session, retention=self.retention)

    def run_one(self) -> jobs.Job | None:
        """Claim and run one job; ``None`` when the queue was empty."""
        with transaction(self.engine) as session:
            job = jobs.claim_next(session)
        if job is None:
            return None
        if self.isolate:
            self._run_in_child(job)
        else:
            self._run(job)
        with transaction(self.engine) as session:
            return jobs.get(session, actor=job.actor(), job_id=job.id)

    def _run(self, job: jobs.Job) -> None:
        attempt = job.attempts
        lost = threading.Event()  # the job is no longer ours (cancelled, re-queued)
        done = threading.Event()

        def beating() -> None:
            while not done.wait(self.heartbeat):
                try:
                    with transaction(self.engine) as session:
                        if not jobs.beat(session, job_id=job.id, attempt=attempt):
                            lost.set()
                except RegistryBusyError:
                    continue  # the next beat will do

        def report(fraction: float, phase: str) -> None:
            if self.stop.is_set() or lost.is_set():
                raise Stopped
            try:
                with transaction(self.engine) as session:
                    ours = jobs.progress(
                        session, job_id=job.id, attempt=attempt, fraction=fraction, phase=phase
                    )
            except RegistryBusyError:
                return  # a long writer (an import): this report is skipped, the job goes on
            if not ours:
                lost.set()
                raise Stopped

        thread = threading.Thread(target=beating, name=f"job-{job.id}-heartbeat", daemon=True)
        thread.start()
        try:
            runner = self.runners.get(job.kind)
            if runner is None:
                raise ClearsError(f"this worker cannot run jobs of kind {job.kind!r}")
            result = runner(self.engine, job, report)
        except Stopped:
            if not lost.is_set():
                with transaction(self.engine) as session:
                    jobs.release(session, job_id=job.id, attempt=attempt)
            return
        except ClearsError as exc:
            self._fail(job, attempt, str(exc))
            return
        except Exception as exc:  # a bug in a runner must not kill the worker
            self._fail(job, attempt, f"internal error: {type(exc).__name__}: {exc}")
            return
        finally:
            done.set()
            thread.join()
        self._store(job, attempt, result)

    def _store(self, job: jobs.Job, attempt: int, result: jobs.JobResult) -> None:
        """Store the result, waiting out a busy registry a few times (the work is done)."""
        for tries_left in range(_STORE_TRIES - 1, -1, -1):
            try:
                with transaction(self.engine) as session:
                    jobs.finish(session, job_id=job.id, attempt=attempt, result=result)
                return
            except RegistryBusyError:
                if not tries_left:
                    raise

    def _run_in_child(self, job: jobs.Job) -> None:
        """Run ``job`` in a forked child; watch it, end it on a cancel or a stop."""
        child = multiprocessing.get_context("fork").Process(
            target=self._child, args=(job,), name=f"clears-job-{job.id}", daemon=True
        )
        child.start()
        while True:
            child.join(timeout=min(self.heartbeat, 1.0))
            if not child.is_alive():
                break
            if self.stop.is_set() or not self._still_ours(job):
                child.kill()
                child.join()
                if self.stop.is_set():
                    with transaction(self.engine) as session:
                        jobs.release(session, job_id=job.id, attempt=job.attempts)
                return
        if child.exitcode != 0:
            code = child.exitcode or 0
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            hint = " (out of memory?)" if code == -signal.SIGKILL else ""
            self._fail(job, job.attempts, f"the job's process ended with {how}{hint}")

    def _still_ours(self, job: jobs.Job) -> bool:
        try:
            with transaction(self.engine, write=False) as session:
                now = jobs.get(session, actor=job.actor(), job_id=job.id)
        except RegistryBusyError:
            return True
        return now.status == "running" and now.attempts == job.attempts

    def _child(self, job: jobs.Job) -> None:
        """The forked child: its own connections, default signals, the job, then exit."""
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the worker's to handle
        self.engine.dispose(close=False)  # the parent's pooled connections stay its own
        # A lock another thread of the parent held at the fork would stay held here for
        # ever: this process starts with fresh in-process writer locks and its own engine.
        _engine._WRITER_LOCKS_GUARD = threading.Lock()
        _engine._WRITER_LOCKS = {}
        self.engine = make_engine(
            self.engine.url.render_as_string(hide_password=False), must_exist=True
        )
        self.stop = threading.Event()
        try:
            self._run(job)
        finally:
            self.engine.dispose()
        os._exit(0)

    def _fail(self, job: jobs.Job, attempt: int, error: str) -> None:
        with transaction(self.engine) as session:
            jobs.fail(session, job_id=job.id, attempt=attempt, error=error)

    def loop(self, *, once: bool = False) -> int:
        """Run jobs until :attr:`stop` is set (or the queue is empty, with ``once``);
        return how many were run."""
        count = 0
        while not self.stop.is_set():
            try:
                self.housekeeping()
                ran = self.run_one()
            except RegistryBusyError:
                ran = None
            if ran is None:
                if once:
                    break
                self.stop.wait(self.poll)
            else:
                count += 1
        return count
