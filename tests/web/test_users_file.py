"""Users-file editing (clears.web._users_file): rules, rejections and the atomic 0600 write."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from clears._exceptions import InputError, NotFoundError
from clears.web._users_file import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    add_user,
    read_users,
    remove_user,
    set_password,
    users_file_path,
    users_payload,
    write_users,
)
from clears.web.security import verify_password
from clears.web.users import Role, User, UserDirectory

GOOD = "twelve chars"  # exactly MIN_PASSWORD_LENGTH (12) characters
EMPTY = UserDirectory({})


def _one(directory: UserDirectory = EMPTY, **changes: object) -> UserDirectory:
    values: dict[str, object] = {
        "username": "dr_bcn",
        "role": "investigator",
        "centres": ["BCN"],
        "password": GOOD,
    }
    values.update(changes)
    return add_user(directory, **values)  # type: ignore[arg-type]


def _problems(**changes: object) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        _one(**changes)
    return [(p.field, str(p)) for p in caught.value.problems]


def test_add_user_hashes_the_password_and_keeps_the_input() -> None:
    directory = _one()
    user = directory.get("dr_bcn")
    assert user is not None
    assert (user.role, user.centres) == (Role.investigator, frozenset({"BCN"}))
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash
    assert verify_password(GOOD, user.password_hash)
    assert EMPTY.users == {}  # the input directory is not changed
    both = _one(directory, username="mon", role="monitor", centres=["*"])
    assert sorted(both.users) == ["dr_bcn", "mon"]
    assert both.users["mon"].actor().all_centres
    assert sorted(directory.users) == ["dr_bcn"]


def test_password_length_edges() -> None:
    assert len(GOOD) == MIN_PASSWORD_LENGTH == 12
    short = _problems(password=GOOD[:-1])
    assert short == [("password", "password: has 11 characters; allowed: 12 to 1000 characters")]
    assert _problems(password="x" * (MAX_PASSWORD_LENGTH + 1))[0][0] == "password"
    assert _one(password="x" * MAX_PASSWORD_LENGTH).get("dr_bcn") is not None
    # the password itself is never echoed
    assert GOOD[:-1] not in short[0][1]


def test_every_problem_reported_together_with_allowed_values() -> None:
    found = dict(_problems(username="bad name", role="nurse", centres=["B C"], password="short"))
    assert found == {
        "username": "username: is not a valid user name (got 'bad name'); allowed: 1-64 "
        "letters, digits or . _ @ -, starting with a letter or digit",
        "role": "role: is not a role (got 'nurse'); allowed: administrator, investigator, "
        "data_entry, monitor",
        "centre": "centre: is not a centre code (got 'B C'); allowed: 1-64 characters "
        "without spaces",
        "password": "password: has 5 characters; allowed: 12 to 1000 characters",
    }


@pytest.mark.parametrize(
    ("name", "ok"),
    [("a", True), ("a" * 64, True), ("a" * 65, False), ("dr.x@h-1_b", True), ("-a", False)],
)
def test_user_name_rule_edges(name: str, ok: bool) -> None:
    if ok:
        assert name in _one(username=name).users
    else:
        assert [f for f, _ in _problems(username=name)] == ["username"]


def test_duplicate_name_refused() -> None:
    directory = _one()
    with pytest.raises(InputError, match="username: already exists") as caught:
        _one(directory, role="monitor")
    assert [p.field for p in caught.value.problems] == ["username"]


def test_centres_checked_against_the_registry_when_known() -> None:
    found = _problems(centres=["BCN", "PAR"], known_centres={"BCN", "LYO"})
    assert found == [
        ("centre", "centre: is not a centre of the registry (got 'PAR'); allowed: BCN, LYO")
    ]
    assert _one(centres=["LYO"], known_centres={"BCN", "LYO"}).users["dr_bcn"].centres == {"LYO"}
    assert "none (the registry has no centre yet)" in _problems(known_centres=set())[0][1]
    assert "cannot be combined" in _problems(centres=["*", "BCN"])[0][1]
    assert "is missing" in _problems(centres=[])[0][1]
    assert _one(centres=["X" * 64]).get("dr_bcn") is not None
    assert _problems(centres=["X" * 65])[0][0] == "centre"


def test_remove_and_set_password() -> None:
    directory = _one(_one(), username="other", role="monitor")
    removed = remove_user(directory, "other")
    assert sorted(removed.users) == ["dr_bcn"]
    assert sorted(directory.users) == ["dr_bcn", "other"]
    with pytest.raises(NotFoundError, match=r"'ghost' does not exist \(users: dr_bcn, other\)"):
        remove_user(directory, "ghost")
    changed = set_password(directory, "dr_bcn", "another password")
    new = changed.users["dr_bcn"]
    assert verify_password("another password", new.password_hash)
    assert not verify_password(GOOD, new.password_hash)
    assert (new.role, new.centres) == (Role.investigator, frozenset({"BCN"}))
    assert changed.users["other"] is directory.users["other"]
    with pytest.raises(InputError, match="has 3 characters"):
        set_password(directory, "dr_bcn", "abc")
    with pytest.raises(NotFoundError):
        set_password(directory, "ghost", "another password")


def test_write_round_trip_sorted_and_private(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"users": []}')
    path.chmod(0o644)
    directory = _one(_one(username="zed", role="monitor", centres=["LYO", "BCN"]))
    write_users(path, directory)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    payload = json.loads(path.read_text())
    assert [u["username"] for u in payload["users"]] == ["dr_bcn", "zed"]
    assert payload["users"][1]["centres"] == ["BCN", "LYO"]
    assert payload == users_payload(directory)
    assert read_users(path) == directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]  # no temporary left


def test_write_is_atomic_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.json"
    write_users(path, _one())
    before = path.read_bytes()

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_users(path, _one(username="other"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]


def test_new_file_and_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "users.json"
    write_users(path, EMPTY)
    assert json.loads(path.read_text()) == {"users": []}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_read_missing_file(tmp_path: Path) -> None:
    assert read_users(tmp_path / "none.json", missing_ok=True).users == {}
    with pytest.raises(NotFoundError, match="does not exist; create it with 'clears users add"):
        read_users(tmp_path / "none.json")


def test_users_file_path_blank_variable_means_default() -> None:
    assert users_file_path(None, environ={"CLEARS_USERS_FILE": "  "}) == Path("clears-users.json")


def test_payload_holds_no_password(tmp_path: Path) -> None:
    user = User("a", Role.monitor, frozenset({"BCN"}), "$argon2id$hash")
    assert set(users_payload(UserDirectory.of([user]))["users"][0]) == {
        "username",
        "role",
        "centres",
        "password_hash",
    }
