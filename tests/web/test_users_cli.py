"""``clears users add|list|remove|passwd`` through the command's entry point."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from tests._cli import clears
from tests.web._setup import make_database
from typer.testing import CliRunner

from clears.cli.main import app
from clears.web.security import verify_password
from clears.web.users import UserDirectory

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def _no_users_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARS_USERS_FILE", raising=False)


def _add(
    monkeypatch: pytest.MonkeyPatch,
    users: Path,
    name: str,
    *options: str,
    password: str = PASSWORD,
) -> int:
    return clears(
        monkeypatch,
        "users",
        "add",
        name,
        "--users",
        str(users),
        *options,
        "--password-stdin",
        stdin=password + "\n",
    )


def test_add_list_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "users.json"
    assert _add(monkeypatch, users, "dr_bcn", "--role", "investigator", "--centre", "BCN") == 0
    assert "added dr_bcn (investigator, BCN)" in capsys.readouterr().out
    assert _add(monkeypatch, users, "admin", "--role", "administrator", "--all-centres") == 0
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    directory = UserDirectory.from_file(users)
    assert verify_password(PASSWORD, directory.users["dr_bcn"].password_hash)
    assert directory.users["admin"].centres == {"*"}
    capsys.readouterr()

    assert clears(monkeypatch, "users", "list", "--users", str(users)) == 0
    listed = capsys.readouterr().out
    assert listed.splitlines() == [
        f"2 user(s) in {users}",
        "admin   administrator  all centres",
        "dr_bcn  investigator   BCN",
    ]
    assert "$argon2" not in listed

    assert clears(monkeypatch, "users", "remove", "dr_bcn", "--users", str(users)) == 0
    assert sorted(UserDirectory.from_file(users).users) == ["admin"]
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_several_centres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "u.json"
    code = _add(monkeypatch, users, "m", "--role", "monitor", "--centre", "BCN", "--centre", "LYO")
    assert code == 0
    assert json.loads(users.read_text())["users"][0]["centres"] == ["BCN", "LYO"]


def test_passwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.json"
    _add(monkeypatch, users, "dr_bcn", "--role", "data_entry", "--centre", "BCN")
    new = "a different long password"
    code = clears(
        monkeypatch, "users", "passwd", "dr_bcn", "--users", str(users), "--password-stdin",
        stdin=new + "\n",
    )  # fmt: skip
    assert code == 0
    digest = UserDirectory.from_file(users).users["dr_bcn"].password_hash
    assert verify_password(new, digest)
    assert not verify_password(PASSWORD, digest)


def _refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    capsys.readouterr()
    assert clears(monkeypatch, *args, stdin=PASSWORD + "\n") == 1
    return capsys.readouterr().err


def test_rejections_name_field_and_allowed_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "users.json"
    base = ("users", "add", "--users", str(users), "--password-stdin")
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "nurse", "--centre", "BCN")
    assert (
        "role: is not a role (got 'nurse'); allowed: administrator, investigator, "
        "data_entry, monitor"
    ) in err
    assert not users.exists()  # nothing written
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor")
    assert "centre: is missing; allowed: one or more --centre CODE, or --all-centres" in err
    err = _refused(
        monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "A", "--all-centres"
    )
    assert "cannot be combined with --all-centres" in err
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "*")
    assert "centre: is not a centre code (got '*'); allowed: --all-centres" in err
    assert _add(monkeypatch, users, "x", "--role", "monitor", "--centre", "BCN") == 0
    before = users.read_bytes()
    err = _refused(monkeypatch, capsys, *base, "x", "--role", "monitor", "--centre", "BCN")
    assert "username: already exists (got 'x'); allowed: a new user name" in err
    capsys.readouterr()
    assert (
        _add(monkeypatch, users, "y", "--role", "monitor", "--centre", "B", password="short") == 1
    )
    assert "password: has 5 characters; allowed: 12 to 1000 characters" in capsys.readouterr().err
    err = _refused(monkeypatch, capsys, "users", "remove", "ghost", "--users", str(users))
    assert "user 'ghost' does not exist (users: x)" in err
    err = _refused(monkeypatch, capsys, "users", "passwd", "ghost", "--users", str(users))
    assert "does not exist" in err
    assert users.read_bytes() == before  # no refused command changed the file
    err = _refused(monkeypatch, capsys, "users", "list", "--users", str(tmp_path / "none.json"))
    assert "does not exist; create it with 'clears users add" in err


def test_centres_checked_against_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database(tmp_path / "registry.db")  # centres BCN and LYO
    users = tmp_path / "users.json"
    err = _refused(
        monkeypatch, capsys, "users", "add", "x", "--role", "monitor", "--centre", "PAR",
        "--db", url, "--users", str(users), "--password-stdin",
    )  # fmt: skip
    assert "centre: is not a centre of the registry (got 'PAR'); allowed: BCN, LYO" in err
    assert _add(monkeypatch, users, "x", "--role", "monitor", "--centre", "LYO", "--db", url) == 0
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    err = _refused(
        monkeypatch, capsys, "users", "add", "y", "--role", "monitor", "--centre", "LYO",
        "--db", missing, "--users", str(users), "--password-stdin",
    )  # fmt: skip
    assert f"{missing}: no database file" in err
    assert "clears db init" in err
    assert not (tmp_path / "missing.db").exists()  # not created by the check


def test_default_file_and_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ("users", "add", "a", "--role", "monitor", "--centre", "BCN", "--password-stdin")
    assert clears(monkeypatch, *args, stdin=PASSWORD + "\n") == 0
    assert "a" in UserDirectory.from_file(tmp_path / "clears-users.json").users
    monkeypatch.setenv("CLEARS_USERS_FILE", str(tmp_path / "env.json"))
    assert clears(monkeypatch, *args, stdin=PASSWORD + "\n") == 0
    assert "a" in UserDirectory.from_file(tmp_path / "env.json").users


def test_prompted_password_typed_twice_hidden(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    args = ["users", "add", "p", "--role", "monitor", "--centre", "BCN", "--users", str(users)]
    # first pair differs, so the prompt asks again; the second pair matches
    typed = f"{PASSWORD}\nsomething else!\n{PASSWORD}\n{PASSWORD}\n"
    done = CliRunner().invoke(app, args, input=typed)
    assert done.exit_code == 0, done.output
    assert "do not match" in done.output
    assert PASSWORD not in done.output  # hidden input is not echoed
    assert verify_password(PASSWORD, UserDirectory.from_file(users).users["p"].password_hash)


def test_no_password_option() -> None:
    done = CliRunner().invoke(
        app, ["users", "add", "p", "--role", "monitor", "--centre", "B", "--password", PASSWORD]
    )
    assert done.exit_code == 2
    assert "No such option" in done.output
