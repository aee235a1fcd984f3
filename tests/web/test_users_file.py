"""Reading a users file (clears.web._users_file), the format ``clears users import`` reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clears._exceptions import InputError, NotFoundError
from clears.web._users_file import read_users_file, users_file_path

DIGEST = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


def _file(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "users.json"
    path.write_text(json.dumps(payload))
    return path


def test_entries_in_file_order_with_their_rows(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        {
            "users": [
                {"username": "zed", "role": "monitor", "centres": ["LYO", "BCN"],
                 "password_hash": DIGEST},
                {"username": "net", "role": "administrator", "centres": ["*"],
                 "password_hash": DIGEST},
            ]
        },
    )  # fmt: skip
    first, second = read_users_file(path)
    assert (first.username, first.role, first.centres, first.row) == (
        "zed",
        "monitor",
        {"BCN", "LYO"},
        1,
    )
    assert (second.username, second.centres, second.row) == ("net", {"*"}, 2)
    assert first.password_hash == DIGEST


def test_every_problem_of_every_row_together(tmp_path: Path) -> None:
    good = {"username": "a", "role": "monitor", "centres": ["BCN"], "password_hash": DIGEST}
    path = _file(tmp_path, {"users": [good, "text", {**good, "centres": "BCN", "role": "boss"}]})
    with pytest.raises(InputError) as caught:
        read_users_file(path)
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (2, "users"),
        (3, "role"),
        (3, "centres"),
    ]
    assert all(p.file == str(path) for p in caught.value.problems)


def test_no_users_list_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r'users: is missing; allowed: \{"users": \[...\]\}'):
        read_users_file(_file(tmp_path, {"people": []}))
    with pytest.raises(NotFoundError, match="does not exist"):
        read_users_file(tmp_path / "none.json")


def test_users_file_path_blank_variable_means_default() -> None:
    assert users_file_path(None, environ={"CLEARS_USERS_FILE": "  "}) == Path("clears-users.json")
