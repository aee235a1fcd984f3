"""The role table of docs/data-management.md ("Queries") says what
:data:`clears.registry.PERMISSIONS` allows: each step needs every action the issue names
for it (open: ``open_query``; answer: ``answer_query``; correct: ``answer_query`` and
``record``; close and re-open: ``close_query``; read: ``read``)."""

from __future__ import annotations

from pathlib import Path

from clears.registry import PERMISSIONS, Action, Role

PAGE = Path(__file__).resolve().parents[2] / "docs" / "data-management.md"
MARK = "<!-- query-roles:"

#: The issue's actions of each step (written here, not read from the code).
STEP_ACTIONS = {
    "read": (Action.read,),
    "open": (Action.open_query,),
    "answer": (Action.answer_query,),
    "correct": (Action.answer_query, Action.record),
    "close": (Action.close_query,),
    "reopen": (Action.close_query,),
}


def _table() -> dict[str, dict[str, str]]:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(MARK)) + 1
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return rows


def test_the_documented_role_table_is_the_permissions_table() -> None:
    table = _table()
    assert set(table) == set(STEP_ACTIONS)
    for step, actions in STEP_ACTIONS.items():
        assert set(table[step]) == {role.value for role in Role}
        for role in Role:
            expected = all(role in PERMISSIONS[action] for action in actions)
            assert table[step][role.value] == ("yes" if expected else "no"), (step, role)


def test_the_documented_steps_agree_with_the_registry() -> None:
    from clears.registry.queries import may_take

    for step in set(STEP_ACTIONS) - {"read"}:
        for role in Role:
            assert may_take(role, step) == (_table()[step][role.value] == "yes"), (step, role)
