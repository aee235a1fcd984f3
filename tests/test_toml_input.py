"""Reading a user's TOML file (clears._toml_input): each failure is one problem on ``path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from clears._exceptions import InputError
from clears._toml_input import read_toml


def test_a_valid_file_is_its_document(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text('name = "x"\n[[sections]]\nkind = "cohort"\n', encoding="utf-8")
    assert read_toml(path) == {"name": "x", "sections": [{"kind": "cohort"}]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read: No such file or directory"),
        (b"name = \xff\n", "is not UTF-8 text"),
        (b"name = \n", "is not valid TOML: Invalid value (at line 1, column 8)"),
    ],
    ids=["missing", "not-utf8", "not-toml"],
)
def test_each_failure_names_the_path_and_why(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "plan.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_toml(path)
    (problem,) = raised.value.problems
    assert (problem.field, problem.value) == ("path", str(path))
    assert message in problem.message
