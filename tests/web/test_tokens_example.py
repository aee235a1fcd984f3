"""examples/read_cohort.py against a served app (real HTTP, a real token)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from tests._system import r_package
from tests.web._setup import app_for, served

from clears.registry import Actor, create_token, revoke_token, transaction
from clears.registry._engine import make_engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "read_cohort.py"
SETUP = Actor.everywhere("setup")


def _token(url: str, username: str, centres: tuple[str, ...] = ()) -> tuple[str, int]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            secret, token = create_token(
                session, actor=SETUP, username=username, label="example", scope="read",
                days=1, centres=centres,
            )  # fmt: skip
    finally:
        engine.dispose()
    return secret, token.id


def _run(base: str, secret: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLEARS_URL": base, "CLEARS_TOKEN": secret}
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _rows(out: str) -> list[dict[str, str]]:
    text = out.split("\n{", 1)[0]
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.slow  # over a second in --durations
def test_the_example_reads_the_list_and_one_record(db_url: str, password_hash: str) -> None:
    app = app_for(db_url, password_hash)
    secret, token_id = _token(db_url, "admin", centres=("BCN",))
    with served(app) as base:
        done = _run(base, secret, "P1")
        assert done.returncode == 0, done.stderr
        # The seed: P1 at BCN on lenalidomide 10 mg/day since 2024-01-01, one visit then.
        assert _rows(done.stdout) == [
            {
                "patient_id": "P1",
                "centre": "BCN",
                "drug": "lenalidomide",
                "dose_mg_per_day": "10.0",
                "last_visit": "2024-01-01",
            }
        ]
        shown = json.loads("{" + done.stdout.split("\n{", 1)[1])
        assert shown["patient"]["patient_id"] == "P1"
        assert [v["data"]["visit_date"] for v in shown["visits"]] == ["2024-01-01"]

        foreign = _run(base, secret, "P2")
        assert foreign.returncode == 1
        assert "refused: 404" in foreign.stderr

        engine = make_engine(db_url)
        with transaction(engine) as session:
            revoke_token(session, actor=SETUP, username="admin", token_id=token_id)
        engine.dispose()
        revoked = _run(base, secret)
        assert revoked.returncode == 1
        assert "refused: 401" in revoked.stderr
    app.state.clears.registry.engine.dispose()


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("read_cohort", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_example_walks_every_page(
    db_url: str,
    password_hash: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = _example()
    monkeypatch.setattr(example, "PAGE_SIZE", 1)
    app = app_for(db_url, password_hash)
    secret, _ = _token(db_url, "admin")
    with served(app) as base:
        monkeypatch.setenv("CLEARS_URL", base)
        monkeypatch.setenv("CLEARS_TOKEN", secret)
        assert example.main([]) == 0
    assert [r["patient_id"] for r in _rows(capsys.readouterr().out)] == ["P1", "P2"]
    app.state.clears.registry.engine.dispose()


R_EXAMPLE = EXAMPLE.with_suffix(".R")


def _run_r(rscript: str, base: str, secret: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLEARS_URL": base, "CLEARS_TOKEN": secret}
    return subprocess.run(
        [rscript, str(R_EXAMPLE), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_r_example_reads_the_list_and_one_record(db_url: str, password_hash: str) -> None:
    rscript = r_package("httr2")
    app = app_for(db_url, password_hash)
    secret, token_id = _token(db_url, "admin", centres=("BCN",))
    with served(app) as base:
        done = _run_r(rscript, base, secret, "P1")
        assert done.returncode == 0, done.stderr
        # The seed: P1 at BCN on lenalidomide 10 mg/day since 2024-01-01, one visit then;
        # P2 is LYO's, outside the token's centres.
        table = done.stdout.split("List of", 1)[0]
        assert "P1" in table
        assert "BCN" in table
        assert "lenalidomide" in table
        assert "2024-01-01" in table
        assert "P2" not in table
        # str(record): the record read (str pads the names to the longest one)
        assert re.search(r'patient_id *: chr "P1"', done.stdout), done.stdout
        assert "visits :List of 1" in done.stdout  # and its one visit

        foreign = _run_r(rscript, base, secret, "P2")
        assert foreign.returncode != 0
        assert "404" in foreign.stderr

        engine = make_engine(db_url)
        with transaction(engine) as session:
            revoke_token(session, actor=SETUP, username="admin", token_id=token_id)
        engine.dispose()
        revoked = _run_r(rscript, base, secret)
        assert revoked.returncode != 0
        assert "401" in revoked.stderr
    app.state.clears.registry.engine.dispose()
