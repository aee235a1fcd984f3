"""Bulk import on SQLite: CHECK constraints verified once per table instead of per row.

The import turns off SQLite's per-row CHECK evaluation during its inserts and then selects
any new row for which a constraint is false (SQLite semantics: a CHECK fails only when its
expression is false; NULL passes). These tests make sure that a broken row is still
refused, that the pragma is restored, and that rows that were there before are not blamed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from clears._exceptions import InputError
from clears.registry._engine import make_engine, transaction
from clears.registry._models import ENTITY_TABLES, centres_table
from clears.registry.importer import _constraints_checked_per_table, _last_id


def _patient(session: sa.orm.Session) -> int:
    session.execute(sa.insert(centres_table).values(code="BCN"))
    patients = ENTITY_TABLES["patients"]
    session.execute(sa.insert(patients).values(patient_id="S1", centre_key=1, version=1))
    return int(session.execute(sa.select(patients.c.id)).scalar_one())


def _visit(key: int, **values: object) -> sa.Insert:
    return sa.insert(ENTITY_TABLES["visits"]).values(
        patient_key=key, visit_date=sa.func.date("2020-01-06"), version=1, **values
    )


def _write_one_bad_and_one_good_visit(engine: sa.Engine) -> None:
    with transaction(engine) as session:
        key = _patient(session)
        with _constraints_checked_per_table(session) as before:
            before["visits"] = _last_id(session, "visits")
            # clasi_scalp_ery allows 0-3 (CLASI, Albrecht 2005); 9 and anc -1 break two CHECKs.
            session.execute(_visit(key, clasi_scalp_ery=9, anc=-1.0))
            session.execute(_visit(key, clasi_scalp_ery=2, anc=None))  # valid; NULL passes


def test_a_row_breaking_a_check_is_refused_with_the_constraint(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with pytest.raises(InputError) as caught:
        _write_one_bad_and_one_good_visit(engine)
    names = sorted(p.field for p in caught.value.problems)
    assert names == ["ck_visits_anc", "ck_visits_clasi_scalp_ery"]
    assert all(
        "record 1 breaks the database constraint" in p.message for p in caught.value.problems
    )
    assert {p.allowed for p in caught.value.problems} == {
        "clasi_scalp_ery IN (0, 1, 2, 3)",
        "anc >= 0 AND anc <= 100",
    }
    with engine.connect() as connection:  # rolled back: nothing written
        assert connection.execute(sa.text("SELECT count(*) FROM visits")).scalar() == 0
    engine.dispose()


def test_checks_are_on_again_after_the_import(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        key = _patient(session)
        with _constraints_checked_per_table(session):
            pass
        with pytest.raises(sa.exc.IntegrityError):
            session.execute(_visit(key, clasi_scalp_ery=9))
    engine.dispose()


def test_rows_before_the_import_are_not_checked_again(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        key = _patient(session)
        session.execute(sa.text("PRAGMA ignore_check_constraints = ON"))
        session.execute(_visit(key, clasi_scalp_ery=9))  # an old bad row, id 1
        session.execute(sa.text("PRAGMA ignore_check_constraints = OFF"))
        with _constraints_checked_per_table(session) as before:
            before["visits"] = _last_id(session, "visits")
            session.execute(_visit(key, clasi_scalp_ery=1))
    engine.dispose()
