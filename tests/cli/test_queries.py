"""``clears queries``: a monitor opens and closes, data entry answers and corrects, each
acting for the account named by ``--user``; refusals exit 1 and change nothing (a seeded
registry, tests/web/_setup.py: P1 at BCN, P2 at LYO)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests._cli import clears
from tests.web._queries import first_visit
from tests.web._setup import add_users, hash_once, make_database

from clears.registry import Actor, get_query, make_engine, record_history, transaction


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)
    made = make_database(tmp_path / "clears.db")
    add_users(made, hash_once())
    return made


def _query(url: str, query_id: int) -> object:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return get_query(session, actor=Actor.everywhere("test"), query_id=query_id)
    finally:
        engine.dispose()


def test_open_answer_correct_close_reopen(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    visit, version = first_visit(url)
    opened = ["--db", url, "--table", "visits", "--record", str(visit), "--field", "anc"]
    code = clears(
        monkeypatch, "queries", "open", "P1", *opened, "--text", "2.8?", "--user", "monitor_bcn"
    )
    assert code == 0
    assert "opened" in capsys.readouterr().out
    step = ["--db", url, "--version"]
    correct = ["--record-version", str(version), "--value", "2.8", "--text", "typo"]
    code = clears(
        monkeypatch, "queries", "correct", "1", *step, "1", *correct, "--user", "entry_bcn"
    )
    assert code == 0
    code = clears(monkeypatch, "queries", "close", "1", *step, "2", "--user", "monitor_bcn")
    assert code == 0
    code = clears(
        monkeypatch, "queries", "reopen", "1", *step, "3", "--text", "no", "--user", "monitor_bcn"
    )
    assert code == 0
    capsys.readouterr()
    assert clears(monkeypatch, "queries", "show", "1", "--db", url, "--user", "inv_bcn") == 0
    shown = capsys.readouterr().out
    assert "correct [1.8 -> 2.8]: typo" in shown
    query = _query(url, 1)
    assert [m.by for m in query.messages] == [  # type: ignore[attr-defined]
        "monitor_bcn",
        "entry_bcn",
        "monitor_bcn",
        "monitor_bcn",
    ]
    engine = make_engine(url)
    with transaction(engine) as session:
        _, entries = record_history(
            session, actor=Actor.everywhere("test"), entity="visits", entity_id=str(visit)
        )
    engine.dispose()
    assert (entries[-1].actor, entries[-1].reason) == ("entry_bcn", "query 1: typo")


def test_a_role_the_table_refuses_exits_1_and_writes_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    visit, _ = first_visit(url)
    args = ["--db", url, "--table", "visits", "--record", str(visit), "--field", "anc"]
    code = clears(monkeypatch, "queries", "open", "P1", *args, "--text", "?", "--user", "entry_bcn")
    assert code == 1
    assert "the data_entry role may not open queries" in capsys.readouterr().err
    assert (
        clears(monkeypatch, "queries", "list", "--centre", "BCN", "--db", url, "--user", "admin")
        == 0
    )
    assert capsys.readouterr().out.startswith("0 query(ies) of BCN")


def test_a_bad_field_exits_1_naming_the_allowed_ones(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    visit, _ = first_visit(url)
    args = ["--db", url, "--table", "visits", "--record", str(visit), "--field", "grade"]
    code = clears(monkeypatch, "queries", "open", "P1", *args, "--text", "?", "--user", "admin")
    assert code == 1
    err = capsys.readouterr().err
    assert "field: is not a field of visits (got 'grade'); allowed: visit_date" in err


def test_another_centre_is_not_found(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    visit, _ = first_visit(url)
    args = ["--db", url, "--table", "visits", "--record", str(visit), "--field", "anc"]
    assert (
        clears(monkeypatch, "queries", "open", "P1", *args, "--text", "?", "--user", "admin") == 0
    )
    capsys.readouterr()
    assert clears(monkeypatch, "queries", "show", "1", "--db", url, "--user", "inv_lyo") == 1
    assert "no query 1 in your centres" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json", "text"])
def test_list_formats(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    visit, _ = first_visit(url)
    args = ["--db", url, "--table", "visits", "--record", str(visit), "--field", "anc"]
    for n in range(3):
        code = clears(
            monkeypatch, "queries", "open", "P1", *args, "--text", f"q{n}", "--user", "admin"
        )
        assert code == 0
    capsys.readouterr()
    listed = ["--centre", "BCN", "--limit", "2", "--format", fmt]
    assert (
        clears(monkeypatch, "queries", "list", *listed, "--db", url, "--user", "monitor_bcn") == 0
    )
    out = capsys.readouterr().out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["id"], r["status"], r["age_days"], r["text"]) for r in rows] == [
            ("1", "open", "0", "q0"),
            ("2", "open", "0", "q1"),
        ]
    elif fmt == "json":
        body = json.loads(out)
        assert [q["text"] for q in body["queries"]] == ["q0", "q1"]
        assert body["next_after"] == 2
    else:
        assert out.splitlines()[0] == "2 query(ies) of BCN"
        assert out.splitlines()[-1] == "more: --after 2"
