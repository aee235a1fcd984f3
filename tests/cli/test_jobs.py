"""``clears jobs`` and the workers ``clears serve`` starts: real worker processes running the
real runners over a seeded registry (tests/web/_setup.py: P1 at BCN, P2 at LYO).

Expected outcome rows come from :func:`clears.outcomes.derive` over the registry read
independently with :func:`clears.registry.exporter.export_cohort`.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest
from tests._cli import clears
from tests.web._setup import SECRET, make_database

from clears.cli import serve as serve_cmd
from clears.registry import Actor, jobs, make_engine, transaction
from clears.registry.exporter import export_cohort

pytestmark = pytest.mark.slow  # job workers in child processes

BCN = Actor("dr_bcn", frozenset({"BCN"}))


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)
    return make_database(tmp_path / "clears.db")


def _job(url: str, job_id: int) -> jobs.Job:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return jobs.get(session, actor=Actor.everywhere("test"), job_id=job_id)
    finally:
        engine.dispose()


def _submit(url: str, actor: Actor = BCN, **parameters: object) -> int:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return jobs.submit(session, actor=actor, kind="outcomes", parameters=parameters).id
    finally:
        engine.dispose()


def _until_done(url: str, job_id: int, seconds: float = 120) -> jobs.Job:
    deadline = time.monotonic() + seconds
    while (job := _job(url, job_id)).active:
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return job


def test_worker_processes_run_jobs_and_stop_cleanly(url: str) -> None:
    job_id = _submit(url, criteria="cortes2012")
    with serve_cmd.job_workers(url, 2) as processes:
        done = _until_done(url, job_id)
        assert all(p.poll() is None for p in processes)
    assert [p.returncode for p in processes] == [0, 0]  # SIGTERM: a clean stop
    assert (done.status, done.attempts) == ("done", 1)
    engine = make_engine(url)
    with transaction(engine) as session:
        data = jobs.read_result(session, actor=BCN, job_id=job_id).data
    engine.dispose()
    table = pd.read_csv(io.BytesIO(data))
    reference = export_cohort(actor=BCN, url=url)
    from clears.outcomes import derive

    expected = derive(reference, criteria=["cortes2012"])
    assert table["patient_id"].tolist() == expected["patient_id"].tolist() == ["P1"]
    assert list(table.columns) == list(expected.columns)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``clears serve`` with uvicorn replaced: the worker counts it started, with the
    retention period it gave them."""
    for name in ("CLEARS_SECRET_KEY", "CLEARS_ENVIRONMENT", "CLEARS_USERS_FILE"):
        monkeypatch.delenv(name, raising=False)
    counts: list[Any] = []
    real = serve_cmd.job_workers

    def recording(db: str, count: int, **options: Any) -> Any:
        counts.append((count, options["retention_hours"]))
        return real(db, count, **options)

    def run(app: Any, **_options: Any) -> None:
        app.state.clears.registry.engine.dispose()

    monkeypatch.setattr(serve_cmd, "job_workers", recording)
    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setenv("CLEARS_SECRET_KEY", SECRET)
    return counts


def test_serve_starts_one_worker_by_default_and_none_on_request(
    served: list[Any], url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "serve", "--db", url) == 0
    assert "Job workers: 1" in capsys.readouterr().out
    monkeypatch.setenv("CLEARS_JOB_RETENTION_HOURS", "2")
    assert clears(monkeypatch, "serve", "--db", url, "--job-workers", "0") == 0
    assert "Job workers: 0 (run 'clears jobs work')" in capsys.readouterr().out
    assert served == [(1, 168.0), (0, 2.0)]  # the settings' default: 7 days
    assert clears(monkeypatch, "serve", "--db", url, "--job-workers", "-1") == 2


def test_serve_worker_runs_a_job_submitted_while_serving(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARS_SECRET_KEY", SECRET)
    seen: list[jobs.Job] = []

    def run(app: Any, **_options: Any) -> None:
        # The server is "up": a job submitted now is run by its worker process.
        seen.append(_until_done(url, _submit(url, criteria="klein2011")))
        app.state.clears.registry.engine.dispose()

    monkeypatch.setattr("uvicorn.run", run)
    assert clears(monkeypatch, "serve", "--db", url) == 0
    [job] = seen
    assert job.status == "done", job.error


def test_list_show_download_and_cancel(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _submit(url, criteria="aitmehdi2021")
    second = _submit(url, criteria="clasi50")
    assert clears(monkeypatch, "jobs", "list", "--db", url) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in lines] == [second, first]  # newest first
    assert all(" queued " in line and "by dr_bcn" in line for line in lines)
    assert clears(monkeypatch, "jobs", "cancel", str(second), "--db", url) == 0
    assert " cancelled " in capsys.readouterr().out
    assert clears(monkeypatch, "jobs", "work", "--db", url, "--once") == 0
    capsys.readouterr()
    assert clears(monkeypatch, "jobs", "show", str(first), "--db", url) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["result"]["name"]) == (
        "done",
        "clears-outcomes-aitmehdi2021.csv",
    )
    out = tmp_path / "outcomes.csv"
    assert clears(monkeypatch, "jobs", "download", str(first), "--db", url, "--out", str(out)) == 0
    assert pd.read_csv(out)["patient_id"].tolist() == ["P1"]
    downloaded = _job(url, first)
    assert downloaded.downloaded_by is not None
    assert downloaded.downloaded_at is not None
    assert clears(monkeypatch, "jobs", "download", str(second), "--db", url, "--out", str(out)) == 1
    assert f"job {second} has no result (cancelled)" in capsys.readouterr().err
    assert clears(monkeypatch, "jobs", "show", "999", "--db", url) == 1
    assert "job 999 not found" in capsys.readouterr().err


def test_submit_and_wait_prints_progress_and_writes_the_result(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "everyone.zip"
    with serve_cmd.job_workers(url, 1):
        code = clears(
            monkeypatch,
            *("jobs", "submit", "export", "--db", url, "-p", "format=csv", "--wait"),
            *("--out", str(out)),
        )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # Each state seen is printed once; a small export may end between two looks.
    lines = captured.err.splitlines()
    assert lines[0] == "job 1: queued   0% waiting for a worker"
    assert lines[-1] == "job 1: done 100% done"
    assert len(lines) == len(set(lines))
    import zipfile

    # The command line acts network-wide: both centres.
    patients = zipfile.ZipFile(out).read("clears-csv/patients.csv").decode()
    assert "P1" in patients
    assert "P2" in patients


def test_submit_refuses_bad_parameters_naming_the_field(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = clears(monkeypatch, "jobs", "submit", "export", "--db", url, "-p", "format=xml")
    assert code == 1
    err = capsys.readouterr().err
    assert "parameters.format" in err
    assert '"csv", "parquet", "redcap", "fhir", "sdtm"' in err
    assert clears(monkeypatch, "jobs", "submit", "export", "--db", url, "-p", "format") == 2
    assert clears(monkeypatch, "jobs", "list", "--db", url) == 0
    assert capsys.readouterr().out == ""  # nothing was queued


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie not yet reaped counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_worker_stops_when_the_server_that_started_it_dies(url: str) -> None:
    # A server ended by a signal never reaches its clean-up (uvicorn raises the signal again
    # after shutting down); here the "server" is killed outright. Its worker must not live on.
    import os
    import signal
    import subprocess
    import sys

    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from clears.cli import serve\n"
            f"with serve.job_workers({url!r}, 1) as started:\n"
            "    print(started[0].pid, flush=True)\n"
            "    sys.stdin.readline()\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
    ) as server:
        assert server.stdout is not None
        assert server.stdin is not None
        worker = int(server.stdout.readline())
        assert not _gone(worker)
        server.stdin.write("\n")
        server.stdin.flush()
        assert server.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 60  # the worker may be warming up (a small report) first
    while not _gone(worker):
        assert time.monotonic() < deadline, f"worker {worker} outlived its server"
        time.sleep(0.2)
