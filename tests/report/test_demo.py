"""clears demo end to end through the SQLite registry, and clears report --db.

The demo runs once in a subprocess (the installed command as a user runs it); the other
cases run in-process with small cohorts to keep the suite quick.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.web._setup import SECRET, sign_in
from typer.testing import CliRunner

from clears import ConflictError, InputError
from clears.cli.demo import DEMO_DB, run_demo
from clears.cli.main import app
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry.exporter import export_cohort
from clears.web.app import create_app
from clears.web.settings import Settings

pytestmark = pytest.mark.slow  # runs clears demo end to end, in child processes

runner = CliRunner()


def _clears(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "clears.cli.main", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _patients(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM patients").fetchone()
    return int(count)


@pytest.fixture(scope="module")
def demo_dir(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("demo")
    done = _clears("demo", "--out", "out", "--seed", "5", cwd=folder)
    return folder / "out", done


def test_demo_exits_0_and_writes_report_and_database(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, done = demo_dir
    assert done.returncode == 0, done.stderr
    report, db = out / "clears-report.html", out / DEMO_DB
    assert report.stat().st_size > 0
    assert db.exists()
    assert str(report.resolve()) in done.stdout
    assert str(db.resolve()) in done.stdout
    for hint in ("clears report --db sqlite:///", "clears serve --db", "clears outcomes"):
        assert hint in done.stdout


def test_demo_database_holds_40_patients(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    # the default --n is 40 (Aitmehdi 2021, 40 patients)
    assert _patients(out / DEMO_DB) == 40


def test_demo_audit_chain_verifies(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    engine = make_engine(f"sqlite:///{out / DEMO_DB}")
    try:
        with transaction(engine) as session:
            report = audit.verify(session)
    finally:
        engine.dispose()
    assert report.ok, report.to_text()
    assert report.entries >= 40  # one import entry per patient, plus the centres created


def test_demo_report_is_built_from_the_registry(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    page = (out / "clears-report.html").read_text(encoding="utf-8")
    # the Cohort fact is the exported cohort's source: the database URL, not the simulator
    assert f"sqlite:///{(out / DEMO_DB).resolve()}" in page
    assert "simulated:aitmehdi2021" not in page
    assert 'id="table-table1"' in page
    assert 'id="table-ae_table"' in page


def test_demo_rerun_refuses_to_touch_the_database(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    db = out / DEMO_DB
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    again = _clears("demo", "--out", str(out), cwd=out)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "--force" in again.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_report_from_db(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    url = f"sqlite:///{(out / DEMO_DB).resolve()}"
    target = out / "from-db.html"
    done = _clears("report", "--db", url, "--out", str(target), "-c", "cortes2012", cwd=out)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert url in page
    assert "Cortés-Hernández 2012 criteria" in page
    # Table 1's n row is the registry's patient count
    assert ">n</td><td>40</td>" in page


def test_report_needs_exactly_one_source(tmp_path: Path) -> None:
    neither = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html")])
    both = runner.invoke(app, ["report", "x", "--db", "sqlite:///x.db", "--out", "r.html"])
    assert neither.exit_code == 2
    assert both.exit_code == 2
    assert "exactly one" in neither.output


def test_demo_force_replaces_the_database(tmp_path: Path) -> None:
    first = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "3", "--seed", "1"])
    assert first.exit_code == 0, first.output
    refused = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "4"])
    assert isinstance(refused.exception, ConflictError)
    assert _patients(tmp_path / DEMO_DB) == 3
    forced = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "4", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _patients(tmp_path / DEMO_DB) == 4


def test_demo_given_db_must_be_new(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    run = run_demo(tmp_path / "a", n=2, seed=3, db=url)
    assert run.patients == 2
    assert run.database == tmp_path / "mine.db"
    assert export_cohort(actor=Actor.everywhere("t"), url=url).n_patients == 2
    with pytest.raises(ConflictError, match="already holds a registry"):
        run_demo(tmp_path / "b", n=2, seed=3, db=url, force=True)
    assert export_cohort(actor=Actor.everywhere("t"), url=url).n_patients == 2  # untouched


def test_demo_refuses_in_memory_database(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="in-memory"):
        run_demo(tmp_path, n=2, db="sqlite://")


# --- the web app right after the demo -----------------------------------------------------


def _printed(stdout: str) -> tuple[str, str, list[str]]:
    """The user name, the password and the serve command, as the demo printed them."""
    name = re.search(r"^  user name: (\S+)$", stdout, re.MULTILINE)
    password = re.search(r"^  password:  (\S+)   \(shown only now", stdout, re.MULTILINE)
    serve = [line for line in stdout.splitlines() if line.startswith("  clears serve ")]
    assert name, stdout
    assert password, stdout
    assert len(serve) == 1, stdout
    return name.group(1), password.group(1), shlex.split(serve[0], comments=True)


def test_demo_account_is_in_the_registry_holding_only_a_hash(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, done = demo_dir
    name, password, command = _printed(done.stdout)
    assert len(password) >= 12  # the minimum of NIST SP 800-63B as clears applies it
    database = out / DEMO_DB
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT username, role, all_centres, password_hash FROM users"
        ).fetchall()
        audited = connection.execute(
            "SELECT after FROM audit_log WHERE entity = 'users'"
        ).fetchall()
    assert [(u, r, bool(a)) for u, r, a, _ in rows] == [(name, "administrator", True)]
    assert name == "demo"
    assert rows[0][3].startswith("$argon2id$")
    assert password.encode() not in database.read_bytes()
    (after,) = audited
    assert "$argon2" not in after[0]
    assert json.loads(after[0])["centres"] == ["*"]
    assert command == ["clears", "serve", "--db", f"sqlite:///{database.resolve()}", "--dev"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_printed_serve_command_serves_and_the_printed_account_signs_in(  # type: ignore[no-untyped-def]
    demo_dir, tmp_path: Path
) -> None:
    _, done = demo_dir
    name, password, command = _printed(done.stdout)
    port = _free_port()
    # the command exactly as printed, in a clean environment (no CLEARS_* configuration);
    # only the port comes from CLEARS_PORT so that the test does not depend on 8000 being free
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARS_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CLEARS_PORT"] = str(port)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            page = client.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text)
            assert token, page.text
            data = {"username": name, "password": password, "login_token": token.group(1)}
            signed = client.post("/login", data=data)
            assert signed.status_code == 303, signed.text
            me = client.get("/api/me").json()
            assert (me["username"], me["role"]) == ("demo", "administrator")
            patients = client.get("/patients")
            assert patients.status_code == 200
            assert patients.text.count('href="/patients/') >= 40  # every demo patient
    finally:
        server.terminate()
        try:
            stdout, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if shutdown hangs
            server.kill()
            stdout, _ = server.communicate()
    assert f"Serving the clears web app on {base}/" in stdout
    assert "sessions end when the server stops" in stdout


def test_demo_account_signs_in_to_the_app(tmp_path: Path) -> None:
    run = run_demo(tmp_path, n=3, seed=4)
    assert repr(run).count(run.password) == 0  # kept out of repr
    settings = Settings(
        environment="test",
        secret_key=SECRET,  # type: ignore[arg-type]
        db_url=run.url,
    )
    app = create_app(settings)
    try:
        with TestClient(app, base_url="https://testserver") as client:
            sign_in(client, run.username, run.password)
            me = client.get("/api/me").json()
            assert me["username"] == "demo"
            assert me["role"] == "administrator"
        with TestClient(app, base_url="https://testserver") as client:
            page = client.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text)
            assert token
            wrong = {"username": "demo", "password": run.password + "x", "login_token": token[1]}
            assert client.post("/login", data=wrong).status_code == 401
    finally:
        app.state.clears.registry.engine.dispose()


def test_demo_force_gives_a_new_account(tmp_path: Path) -> None:
    first = run_demo(tmp_path, n=2, seed=1)
    again = run_demo(tmp_path, n=2, seed=1, force=True)
    assert again.password != first.password
    app = create_app(Settings(environment="test", secret_key=SECRET, db_url=again.url))  # type: ignore[arg-type]
    try:
        with TestClient(app, base_url="https://testserver") as client:
            page = client.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text)
            assert token
            old = {"username": "demo", "password": first.password, "login_token": token[1]}
            assert client.post("/login", data=old).status_code == 401
            sign_in(client, "demo", again.password)
    finally:
        app.state.clears.registry.engine.dispose()


@pytest.mark.parametrize(
    ("argv0", "expected"),
    [
        (".venv/bin/clears", ".venv/bin/clears"),  # run without activating the environment
        ("/opt/x/bin/clears", "/opt/x/bin/clears"),  # found on PATH: the shell passes the path
        ("/site/clears/cli/main.py", "clears"),  # python -m clears.cli.main
        ("-c", "clears"),
    ],
)
def test_printed_commands_call_clears_the_way_it_was_started(
    monkeypatch: pytest.MonkeyPatch, argv0: str, expected: str
) -> None:
    from clears.cli.demo import program

    monkeypatch.setattr(sys, "argv", [argv0, "demo"])
    assert program() == expected
