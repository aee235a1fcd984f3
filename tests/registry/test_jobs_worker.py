"""The job worker: a real worker process killed half-way, re-queued and finished by another;
a clean stop on SIGTERM; failures, cancellation and restarts.

The worker processes run small runners given here (one that works slowly, reporting
progress; one that returns at once), so that the test controls where the kill lands; the
real runners are tested through the web and the command line (tests/web/test_jobs*.py,
tests/cli/test_jobs*.py).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.registry import Actor, JobWorker, jobs, make_engine, transaction
from clears.registry._models import jobs_table

pytestmark = pytest.mark.slow  # job workers in child processes

BCN = Actor("dr_bcn", frozenset({"BCN"}))

#: A worker process; RUNNER is the body of its runner for "outcomes" jobs.
_SCRIPT = """
import sys, time
from clears.registry import JobWorker, jobs, make_engine

def runner(engine, job, progress):
{body}

worker = JobWorker(make_engine(sys.argv[1]), {{"outcomes": runner}}, heartbeat=0.2, poll=0.05)
import signal
signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
worker.loop(once="--once" in sys.argv)
"""

_SLOW = """
    for step in range(1000):
        progress(step / 1000, f"step {step}")
        time.sleep(0.05)
    raise AssertionError("the test should have stopped this worker")
"""

_QUICK = """
    progress(0.5, "quick")
    return jobs.JobResult(b"done by the second worker", "text/plain", "result.txt")
"""


def _worker(url: str, body: str, *extra: str) -> subprocess.Popen[str]:
    script = _SCRIPT.format(body=textwrap.indent(textwrap.dedent(body).strip(), "    "))
    return subprocess.Popen(
        [sys.executable, "-c", script, url, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
    )


def _job(engine: sa.Engine, job_id: int) -> jobs.Job:
    with transaction(engine) as session:
        return jobs.get(session, actor=BCN, job_id=job_id)


def _wait(what: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _submit(engine: sa.Engine) -> int:
    with transaction(engine) as session:
        return jobs.submit(session, actor=BCN, kind="outcomes").id


@pytest.fixture
def shared(db_url: str) -> Iterator[str]:
    """The backend's database (SQLite and PostgreSQL), its jobs removed after the test."""
    yield db_url
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(sa.delete(jobs_table))
    engine.dispose()


def test_a_killed_worker_s_job_is_requeued_and_finished_by_another(shared: str) -> None:
    engine = make_engine(shared)
    job_id = _submit(engine)
    first = _worker(shared, _SLOW)
    try:
        _wait(lambda: _job(engine, job_id).phase.startswith("step 5"))
    finally:
        first.send_signal(signal.SIGKILL)  # no chance to hand the job back
        first.communicate(timeout=30)
    killed = _job(engine, job_id)
    assert (killed.status, killed.attempts) == ("running", 1)
    assert 0 < killed.progress < 1
    # Its heartbeat stops; once older than the limit, the job goes back to the queue.
    with transaction(engine) as session:
        assert jobs.requeue_stale(session, stale_after=dt.timedelta(seconds=30)) == []
    time.sleep(1.0)
    with transaction(engine) as session:
        assert jobs.requeue_stale(session, stale_after=dt.timedelta(seconds=0.5)) == [job_id]
    assert _job(engine, job_id).status == "queued"
    second = _worker(shared, _QUICK, "--once")
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    done = _job(engine, job_id)
    assert (done.status, done.attempts, done.progress) == ("done", 2, 1.0)
    with transaction(engine) as session:
        assert jobs.read_result(session, actor=BCN, job_id=job_id).data == (
            b"done by the second worker"
        )
    engine.dispose()


def test_sigterm_hands_the_job_back_and_exits_cleanly(shared: str) -> None:
    engine = make_engine(shared)
    job_id = _submit(engine)
    worker = _worker(shared, _SLOW)
    _wait(lambda: _job(engine, job_id).phase.startswith("step 3"))
    worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    back = _job(engine, job_id)
    # Not counted as an attempt: nobody died.
    assert (back.status, back.attempts, back.progress) == ("queued", 0, 0.0)
    engine.dispose()


def test_a_worker_heartbeat_keeps_a_slow_job_alive(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    beats: list[dt.datetime | None] = []

    def silent(_engine: sa.Engine, job: jobs.Job, _progress: object) -> jobs.JobResult:
        # No progress for a while: only the heartbeat thread renews the job.
        for _ in range(3):
            time.sleep(0.3)
            beats.append(_job(engine, job.id).heartbeat_at)
        return jobs.JobResult(b"x", "text/plain", "x.txt")

    JobWorker(engine, {"outcomes": silent}, heartbeat=0.1).run_one()
    assert len({b for b in beats if b is not None}) == 3
    assert _job(engine, job_id).status == "done"
    engine.dispose()


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ClearsError("no treatment period is recorded"), "no treatment period is recorded"),
        (KeyError("oops"), "internal error: KeyError: 'oops'"),
    ],
)
def test_a_failing_runner_fails_the_job_with_its_message(
    fresh_sqlite: str, error: Exception, message: str
) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)

    def broken(_engine: sa.Engine, _job: jobs.Job, _progress: object) -> jobs.JobResult:
        raise error

    JobWorker(engine, {"outcomes": broken}).run_one()
    failed = _job(engine, job_id)
    assert (failed.status, failed.error) == ("failed", message)
    # And the worker goes on with the next job.
    assert JobWorker(engine, {"outcomes": broken}).loop(once=True) == 0
    engine.dispose()


def test_a_job_cancelled_while_running_stops_at_its_next_report(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    reached: list[str] = []

    def cancelled_midway(
        _engine: sa.Engine, job: jobs.Job, progress: Callable[[float, str], None]
    ) -> jobs.JobResult:
        progress(0.1, "reading the registry")
        with transaction(engine) as session:
            jobs.cancel(session, actor=BCN, job_id=job.id)
        progress(0.5, "deriving")
        reached.append("after cancel")
        return jobs.JobResult(b"x", "text/plain", "x.txt")

    JobWorker(engine, {"outcomes": cancelled_midway}).run_one()
    assert reached == []
    job = _job(engine, job_id)
    assert (job.status, job.has_result) == ("cancelled", False)
    engine.dispose()


def test_queued_jobs_survive_a_restart(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    engine.dispose()  # the server and its worker stop
    listed = subprocess.run(
        [sys.executable, "-m", "clears.cli.main", "jobs", "list", "--db", fresh_sqlite],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert listed.returncode == 0, listed.stderr
    assert f"{job_id:>5}  outcomes queued" in listed.stdout
    restarted = make_engine(fresh_sqlite)
    with transaction(restarted) as session:
        claimed = jobs.claim_next(session)
    assert claimed is not None
    assert claimed.id == job_id
    restarted.dispose()


def test_unknown_kind_fails_the_job(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    JobWorker(engine, {}).run_one()
    assert "cannot run jobs of kind 'outcomes'" in (_job(engine, job_id).error or "")
    engine.dispose()


def _quick(
    _engine: sa.Engine, _job: jobs.Job, progress: Callable[[float, str], None]
) -> jobs.JobResult:
    progress(0.5, "quick")
    return jobs.JobResult(b"ok", "text/plain", "ok.txt")


def test_the_worker_loop_requeues_a_dead_workers_job_and_runs_it(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with transaction(engine) as session:
        jobs.claim_next(session, now=long_ago)  # a worker that then died
    worker = JobWorker(engine, {"outcomes": _quick}, stale_after=dt.timedelta(minutes=1))
    assert worker.loop(once=True) == 1
    done = _job(engine, job_id)
    assert (done.status, done.attempts) == ("done", 2)
    engine.dispose()


def test_the_worker_loop_removes_results_past_their_retention(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    JobWorker(engine, {"outcomes": _quick}).run_one()
    with transaction(engine) as session:
        jobs.take_result(
            session, actor=BCN, job_id=job_id, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        )
    JobWorker(engine, {}, retention=dt.timedelta(hours=4)).loop(once=True)
    assert _job(engine, job_id).has_result
    JobWorker(engine, {}, retention=dt.timedelta(hours=2)).loop(once=True)
    assert not _job(engine, job_id).has_result
    engine.dispose()


def _isolated(engine: sa.Engine, runner: Callable[..., jobs.JobResult]) -> JobWorker:
    return JobWorker(engine, {"outcomes": runner}, heartbeat=0.2, isolate=True)


def test_an_isolated_job_runs_in_a_child_process(shared: str) -> None:
    engine = make_engine(shared)
    job_id = _submit(engine)

    def where(
        _engine: sa.Engine, _job: jobs.Job, progress: Callable[[float, str], None]
    ) -> jobs.JobResult:
        progress(0.5, f"in process {os.getpid()}")
        return jobs.JobResult(str(os.getpid()).encode(), "text/plain", "pid.txt")

    _isolated(engine, where).run_one()
    with transaction(engine) as session:
        pid = int(jobs.read_result(session, actor=BCN, job_id=job_id).data)
    assert pid != os.getpid()
    assert _job(engine, job_id).status == "done"
    engine.dispose()


def test_a_job_that_kills_its_process_fails_and_the_worker_goes_on(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)

    def crash(_engine: sa.Engine, _job: jobs.Job, _progress: object) -> jobs.JobResult:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does when memory runs out
        raise AssertionError("unreachable")

    worker = _isolated(engine, crash)
    worker.run_one()
    failed = _job(engine, job_id)
    assert (failed.status, failed.error) == (
        "failed",
        "the job's process ended with signal 9 (out of memory?)",
    )
    with transaction(engine) as session:
        other = jobs.submit(
            session, actor=BCN, kind="outcomes", parameters={"criteria": "klein2011"}
        )
    worker.runners = {"outcomes": _quick}
    worker.run_one()
    assert _job(engine, other.id).status == "done"
    engine.dispose()


def _sleeper(_engine: sa.Engine, _job: jobs.Job, _progress: object) -> jobs.JobResult:
    time.sleep(60)  # no progress report: only the parent can stop it early
    raise AssertionError("the worker should have ended this process")


def test_cancelling_an_isolated_job_ends_its_process_at_once(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)

    def cancel_soon() -> None:
        _wait(lambda: _job(engine, job_id).status == "running")
        time.sleep(0.5)
        with transaction(engine) as session:
            jobs.cancel(session, actor=BCN, job_id=job_id)

    canceller = threading.Thread(target=cancel_soon)
    canceller.start()
    started = time.monotonic()
    _isolated(engine, _sleeper).run_one()
    canceller.join()
    assert time.monotonic() - started < 30
    job = _job(engine, job_id)
    assert (job.status, job.has_result) == ("cancelled", False)
    engine.dispose()


def test_stopping_an_isolated_worker_hands_the_job_back(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    worker = _isolated(engine, _sleeper)

    def stop_soon() -> None:
        _wait(lambda: _job(engine, job_id).status == "running")
        time.sleep(0.5)
        worker.stop.set()

    stopper = threading.Thread(target=stop_soon)
    stopper.start()
    started = time.monotonic()
    assert worker.loop() == 1
    stopper.join()
    assert time.monotonic() - started < 30
    back = _job(engine, job_id)
    assert (back.status, back.attempts) == ("queued", 0)
    engine.dispose()


def test_a_busy_registry_skips_a_progress_report_and_delays_the_result(
    fresh_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.registry import RegistryBusyError

    engine = make_engine(fresh_sqlite)
    job_id = _submit(engine)
    real_finish = jobs.finish
    busy_finishes = [RegistryBusyError("busy"), RegistryBusyError("busy")]

    def busy_progress(*_args: object, **_kwargs: object) -> bool:
        raise RegistryBusyError("an import holds the registry")

    def finish_after_waits(session: object, **kwargs: object) -> bool:
        if busy_finishes:
            raise busy_finishes.pop()
        return real_finish(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "progress", busy_progress)
    monkeypatch.setattr(jobs, "finish", finish_after_waits)
    JobWorker(engine, {"outcomes": _quick}).run_one()
    assert busy_finishes == []
    assert _job(engine, job_id).status == "done"
    engine.dispose()
