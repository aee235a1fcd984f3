"""Revision 0007 refuses to upgrade a registry holding bad or look-alike patient ids (H-INT-35).

A registry at revision 0006 gets patients inserted with SQL, as an older registry may hold
them. The upgrade lists every offending patient (row, id, centre) and what to do, and changes
nothing; once they are renamed (``clears patients rename``) it goes through.
"""

from __future__ import annotations

import contextlib
import importlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from tests._cli import clears
from tests.registry._helpers import ADMIN
from tests.registry._own_db import own_database

from clears._exceptions import InputError
from clears.cohort._ids import id_problem
from clears.registry import migrate
from clears.registry._engine import make_engine, transaction
from clears.registry._models import centres_table, patients_table
from clears.registry.patients import rename_patient

#: Refused by the alphabet (legacy spellings that break URLs or hide a second patient).
OUTSIDE = ("P/04", " P02", "P%2F07", "..", "P\u200b9", "")
#: Valid one by one, one patient ignoring case.
TWINS = ("P05", "p05")
VALID = ("P-01", "p.02", "A_3")


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A registry at revision 0006 holding :data:`OUTSIDE`, :data:`TWINS` and :data:`VALID`
    (at centres BCN and LYO), inserted with SQL."""
    with own_database(request, f"sqlite:///{tmp_path / 'old.db'}", revision="0006") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            keys = {
                code: connection.execute(
                    sa.insert(centres_table).values(code=code).returning(centres_table.c.id)
                ).scalar_one()
                for code in ("BCN", "LYO")
            }
            rows = [(pid, "BCN") for pid in (*OUTSIDE, *VALID)] + list(
                zip(TWINS, ("BCN", "LYO"), strict=True)
            )
            connection.execute(
                sa.insert(patients_table),
                [{"patient_id": p, "centre_key": keys[c], "version": 1} for p, c in rows],
            )
        engine.dispose()
        yield url


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_upgrade_lists_every_bad_or_look_alike_id_and_changes_nothing(at_0006: str) -> None:
    with pytest.raises(InputError) as refused:
        migrate.upgrade(at_0006)
    problems = refused.value.problems
    listed = [(p.value, p.message) for p in problems]
    assert sorted(v for v, _ in listed) == sorted([*OUTSIDE, *TWINS])
    for value, message in listed:
        assert f"(patient {value})" in message
        assert "revision 0007" in message
    centres = {v: m.split(" at centre ")[1].split(" ")[0] for v, m in listed}
    assert centres == {**dict.fromkeys(OUTSIDE, "BCN"), "P05": "BCN", "p05": "LYO"}
    assert all("clears patients rename OLD NEW --reason" in p.allowed for p in problems)
    assert _revision(at_0006) == "0006"


@pytest.mark.slow
def test_after_the_renames_the_upgrade_goes_through(at_0006: str) -> None:
    engine = make_engine(at_0006)
    with transaction(engine) as session:
        for n, old in enumerate((*OUTSIDE, "p05")):
            rename_patient(session, actor=ADMIN, old=old, new=f"R{n}", reason="before 0007")
    engine.dispose()
    # Every later revision applies too: the upgrade reaches the head.
    assert migrate.upgrade(at_0006) == migrate.head_revision()


@pytest.mark.slow
def test_clears_db_upgrade_prints_each_patient_and_the_fix(
    at_0006: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "db", "upgrade", "--db", at_0006) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "(patient P/04) at centre BCN" in err
    assert "(patient p05) at centre LYO" in err
    assert "clears patients rename OLD NEW --reason TEXT" in err
    assert _revision(at_0006) == "0006"


_SQL_VALID = (
    importlib.import_module(
        "clears.registry.migrations.versions.2026_12_02_0007_patient_identifiers_checked"
    )
    .PRECHECKS[0]
    .condition
)


@pytest.mark.slow
@settings(max_examples=300)
@given(st.text(max_size=70) | st.from_regex(r"[A-Za-z0-9._-]{1,66}", fullmatch=True))
def test_the_frozen_sql_check_is_the_identifier_rule(text: str) -> None:
    # Two independent spellings of one rule: the revision's SQL and clears.cohort._ids.
    with contextlib.closing(sqlite3.connect(":memory:")) as memory:
        (valid,) = memory.execute(f"SELECT {_SQL_VALID} FROM (SELECT ? AS patient_id)", (text,))
    assert bool(valid[0]) == (id_problem(text) is None)
