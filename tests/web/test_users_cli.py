"""``clears users ...`` on the registry database, through the command's entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests._cli import clears
from tests.web._setup import make_database
from typer.testing import CliRunner

from clears.cli.main import app
from clears.registry import audit
from clears.registry._engine import make_engine, transaction
from clears.registry._models import AuditEntry, users_table
from clears.web.security import hash_password, verify_password

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def _no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARS_USERS_FILE", raising=False)
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A registry with centres BCN and LYO."""
    return make_database(tmp_path / "registry.db")


def _add(
    monkeypatch: pytest.MonkeyPatch, url: str, name: str, *options: str, password: str = PASSWORD
) -> int:
    return clears(
        monkeypatch, "users", "add", name, "--db", url, *options, "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip


def _rows(url: str) -> dict[str, dict[str, object]]:
    engine = make_engine(url)
    try:
        with transaction(engine, write=False) as session:
            rows = session.execute(sa.select(users_table)).mappings()
            return {str(r["username"]): dict(r) for r in rows}
    finally:
        engine.dispose()


def _user_entries(url: str) -> list[AuditEntry]:
    engine = make_engine(url)
    try:
        with transaction(engine, write=False) as session:
            query = sa.select(AuditEntry).where(AuditEntry.entity == "users")
            return list(session.scalars(query.order_by(AuditEntry.id)))
    finally:
        engine.dispose()


@pytest.mark.slow  # over a second in --durations
def test_add_list_disable_enable(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(monkeypatch, url, "dr_bcn", "--role", "investigator", "--centre", "BCN") == 0
    assert "added dr_bcn (investigator, BCN)" in capsys.readouterr().out
    assert _add(monkeypatch, url, "admin", "--role", "administrator", "--all-centres") == 0
    rows = _rows(url)
    assert verify_password(PASSWORD, str(rows["dr_bcn"]["password_hash"]))
    assert rows["admin"]["all_centres"]
    capsys.readouterr()

    assert clears(monkeypatch, "users", "list", "--db", url) == 0
    listed = capsys.readouterr().out
    assert listed.splitlines() == [
        "2 user(s)",
        "admin   administrator  all centres",
        "dr_bcn  investigator   BCN",
    ]
    assert "$argon2" not in listed

    assert clears(monkeypatch, "users", "disable", "dr_bcn", "--db", url) == 0
    assert _rows(url)["dr_bcn"]["disabled"]
    assert clears(monkeypatch, "users", "list", "--db", url) == 0
    assert "dr_bcn  investigator   BCN  disabled" in capsys.readouterr().out
    assert clears(monkeypatch, "users", "enable", "dr_bcn", "--db", url) == 0
    assert not _rows(url)["dr_bcn"]["disabled"]
    actions = [(e.action, e.reason) for e in _user_entries(url)]
    assert actions == [
        ("insert", None),
        ("insert", None),
        ("update", "disabled"),
        ("update", "enabled"),
    ]
    engine = make_engine(url)
    with transaction(engine, write=False) as session:
        assert audit.verify(session).ok
    engine.dispose()


@pytest.mark.slow
def test_several_centres_role_and_centres(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _add(monkeypatch, url, "m", "--role", "monitor", "--centre", "BCN", "--centre", "LYO")
    assert code == 0
    assert json.loads(str(_rows(url)["m"]["centres"])) == ["BCN", "LYO"]
    assert clears(monkeypatch, "users", "role", "m", "investigator", "--db", url) == 0
    assert "changed m (investigator, BCN, LYO)" in capsys.readouterr().out
    assert clears(monkeypatch, "users", "centres", "m", "--centre", "LYO", "--db", url) == 0
    assert "changed m (investigator, LYO)" in capsys.readouterr().out
    assert clears(monkeypatch, "users", "centres", "m", "--all-centres", "--db", url) == 0
    assert _rows(url)["m"]["all_centres"]


@pytest.mark.slow  # over a second in --durations
def test_passwd_and_reset(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(monkeypatch, url, "dr_bcn", "--role", "data_entry", "--centre", "BCN")
    new = "a different long password"
    code = clears(
        monkeypatch, "users", "passwd", "dr_bcn", "--db", url, "--password-stdin",
        stdin=new + "\n",
    )  # fmt: skip
    assert code == 0
    digest = str(_rows(url)["dr_bcn"]["password_hash"])
    assert verify_password(new, digest)
    assert not verify_password(PASSWORD, digest)
    capsys.readouterr()
    assert clears(monkeypatch, "users", "reset", "dr_bcn", "--db", url) == 0
    out = capsys.readouterr().out
    temporary = out.split("temporary password for dr_bcn: ")[1].split()[0]
    row = _rows(url)["dr_bcn"]
    assert verify_password(temporary, str(row["password_hash"]))
    assert row["must_change_password"]
    assert all(temporary not in (e.after or "") for e in _user_entries(url))


def _refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    capsys.readouterr()
    assert clears(monkeypatch, *args, stdin=PASSWORD + "\n") == 1
    return capsys.readouterr().err


@pytest.mark.slow  # over a second in --durations
def test_rejections_name_field_and_allowed_values(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("users", "add", "--db", url, "--password-stdin")
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "nurse", "--centre", "BCN")
    assert (
        "role: is not a role (got 'nurse'); allowed: administrator, investigator, "
        "data_entry, monitor"
    ) in err
    assert _rows(url) == {}  # nothing written
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor")
    assert "centre: is missing; allowed: one or more --centre CODE, or --all-centres" in err
    err = _refused(
        monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "A", "--all-centres"
    )
    assert "cannot be combined with --all-centres" in err
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "*")
    assert "centre: is not a centre code (got '*'); allowed: --all-centres" in err
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "PAR")
    assert "centre: is not a centre of the registry (got 'PAR'); allowed: BCN, LYO" in err
    assert _add(monkeypatch, url, "x", "--role", "monitor", "--centre", "BCN") == 0
    before = _rows(url)
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "BCN")
    assert "username: already exists (got 'x'); allowed: a new user name" in err
    capsys.readouterr()
    assert (
        _add(monkeypatch, url, "y", "--role", "monitor", "--centre", "BCN", password="short") == 1
    )
    assert "password: has 5 characters; allowed: 12 to 1000 characters" in capsys.readouterr().err
    for command in ("disable", "enable", "reset", "passwd"):
        err = _refused(monkeypatch, capsys, "users", command, "ghost", "--db", url)
        assert "user 'ghost' does not exist" in err
    err = _refused(monkeypatch, capsys, "users", "role", "x", "boss", "--db", url)
    assert "role: is not a role (got 'boss')" in err
    assert _rows(url) == before  # no refused command changed an account


def test_a_missing_registry_is_named_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    err = _refused(
        monkeypatch, capsys, "users", "add", "y", "--role", "monitor", "--centre", "LYO",
        "--db", missing, "--password-stdin",
    )  # fmt: skip
    assert f"{missing}: no database file" in err
    assert "clears db init" in err
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.slow
def test_default_database_from_the_environment(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARS_DB_URL", url)
    args = ("users", "add", "a", "--role", "monitor", "--centre", "BCN", "--password-stdin")
    assert clears(monkeypatch, *args, stdin=PASSWORD + "\n") == 0
    assert "a" in _rows(url)


@pytest.mark.slow
def test_prompted_password_typed_twice_hidden(url: str) -> None:
    args = ["users", "add", "p", "--role", "monitor", "--centre", "BCN", "--db", url]
    # first pair differs, so the prompt asks again; the second pair matches
    typed = f"{PASSWORD}\nsomething else!\n{PASSWORD}\n{PASSWORD}\n"
    done = CliRunner().invoke(app, args, input=typed)
    assert done.exit_code == 0, done.output
    assert "do not match" in done.output
    assert PASSWORD not in done.output  # hidden input is not echoed
    assert verify_password(PASSWORD, str(_rows(url)["p"]["password_hash"]))


def test_no_password_option() -> None:
    done = CliRunner().invoke(
        app, ["users", "add", "p", "--role", "monitor", "--centre", "B", "--password", PASSWORD]
    )
    assert done.exit_code == 2
    assert "No such option" in done.output


# --- clears users import ----------------------------------------------------------------


def _users_file(path: Path, *entries: dict[str, object]) -> Path:
    path.write_text(json.dumps({"users": list(entries)}))
    return path


@pytest.mark.slow
def test_import_moves_a_users_file_in_with_its_passwords(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = hash_password(PASSWORD)
    file = _users_file(
        tmp_path / "clears-users.json",
        {"username": "dr_bcn", "role": "investigator", "centres": ["BCN"], "password_hash": digest},
        {"username": "net", "role": "administrator", "centres": ["*"], "password_hash": digest},
    )
    before = file.read_bytes()
    assert clears(monkeypatch, "users", "import", str(file), "--db", url) == 0
    out = capsys.readouterr().out
    assert f"imported 2 user(s) from {file}:" in out
    assert "  dr_bcn (investigator, BCN)" in out
    assert "  net (administrator, all centres)" in out
    assert "delete it once" in out
    rows = _rows(url)
    assert rows["dr_bcn"]["password_hash"] == digest
    assert file.read_bytes() == before  # the file is not changed
    assert [e.action for e in _user_entries(url)] == ["import", "import"]


@pytest.mark.slow
def test_import_is_all_or_nothing_and_names_every_problem(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(monkeypatch, url, "taken", "--role", "monitor", "--centre", "BCN")
    digest = hash_password(PASSWORD)
    file = _users_file(
        tmp_path / "u.json",
        {"username": "fine", "role": "monitor", "centres": ["BCN"], "password_hash": digest},
        {"username": "taken", "role": "monitor", "centres": ["LYO"], "password_hash": digest},
        {"username": "lost", "role": "monitor", "centres": ["PAR"], "password_hash": digest},
    )
    err = _refused(monkeypatch, capsys, "users", "import", str(file), "--db", url)
    assert f"{file}, row 2: username: already exists (got 'taken')" in err
    assert f"{file}, row 3: centre: is not a centre of the registry (got 'PAR')" in err
    assert set(_rows(url)) == {"taken"}  # nothing imported
    bad = _users_file(
        tmp_path / "bad.json",
        {"username": "x", "role": "boss", "centres": ["BCN"], "password_hash": "plain"},
    )
    err = _refused(monkeypatch, capsys, "users", "import", str(bad), "--db", url)
    assert "row 1: role: is not a role (got 'boss')" in err
    assert "row 1: password_hash: is not an Argon2 hash" in err
    err = _refused(monkeypatch, capsys, "users", "import", str(tmp_path / "no.json"), "--db", url)
    assert "does not exist" in err
    assert set(_rows(url)) == {"taken"}


@pytest.mark.slow
def test_name_sets_the_full_name_signatures_print(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(monkeypatch, url, "dr_bcn", "--role", "investigator", "--centre", "BCN")
    capsys.readouterr()
    assert clears(monkeypatch, "users", "name", "dr_bcn", "Ana García", "--db", url) == 0
    assert "named dr_bcn: Ana García" in capsys.readouterr().out
    assert _rows(url)["dr_bcn"]["full_name"] == "Ana García"
    assert clears(monkeypatch, "users", "list", "--db", url) == 0
    assert "dr_bcn  investigator   BCN  (Ana García)" in capsys.readouterr().out
    assert clears(monkeypatch, "users", "name", "dr_bcn", " ", "--db", url) == 1
    assert "full_name" in capsys.readouterr().err
    assert _rows(url)["dr_bcn"]["full_name"] == "Ana García"
    assert [e.reason for e in _user_entries(url)][-1] == "full name changed"
