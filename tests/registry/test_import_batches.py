"""Import parameters built batch by batch: the registry written does not depend on the size."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN

import clears.cohort
from clears.registry import audit, migrate
from clears.registry._engine import make_engine
from clears.registry.importer import import_cohort

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)
_CONTENT = {
    "patients": "SELECT * FROM patients ORDER BY id",
    "treatments": "SELECT * FROM treatments ORDER BY id",
    "visits": "SELECT * FROM visits ORDER BY id",
    "adverse_events": "SELECT * FROM adverse_events ORDER BY id",
    "flares": "SELECT * FROM flares ORDER BY id",
    "concomitant_medications": "SELECT * FROM concomitant_medications ORDER BY id",
    "audit": "SELECT id, action, entity, entity_id, patient_id, before, after FROM audit_log "
    "ORDER BY id",
}


def _imported(folder: Path, chunk: int) -> dict[str, list[Any]]:
    url = f"sqlite:///{folder / f'chunk{chunk}.db'}"
    migrate.upgrade(url)
    summary = import_cohort(EXAMPLE, actor=ADMIN, url=url, today=TODAY, chunk=chunk)
    # counts of the example files (6 patients, 9 periods, 16 visits, 5 AEs, 3 flares,
    # 12 concomitant medications)
    assert summary.rows == {
        "patients": 6,
        "treatments": 9,
        "visits": 16,
        "adverse_events": 5,
        "flares": 3,
        "concomitant_medications": 12,
    }
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            content = {k: list(connection.execute(sa.text(q))) for k, q in _CONTENT.items()}
        with engine.begin() as connection:
            assert audit.verify(Session(bind=connection)).ok
    finally:
        engine.dispose()
    return content


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("chunk", [1, 2, 7])
def test_batch_size_does_not_change_what_is_written(tmp_path: Path, chunk: int) -> None:
    # reference: one batch larger than every table of the example
    assert _imported(tmp_path, chunk) == _imported(tmp_path, 10_000)


@pytest.mark.slow  # over a second in --durations
def test_each_patient_has_one_import_entry_with_its_row_counts(tmp_path: Path) -> None:
    content = _imported(tmp_path, 2)
    imports = [row for row in content["audit"] if row.action == "import"]
    entries = [row for row in imports if row.entity == "patients"]
    assert [row.patient_id for row in entries] == ["P01", "P02", "P03", "P04", "P05", "P06"]
    # the example's visits.csv has 16 rows; each entry counts that patient's rows
    visits = sum(json.loads(row.after)["rows"].get("visits", 0) for row in entries)
    assert visits == 16


@pytest.mark.slow  # over a second in --durations
def test_every_imported_row_has_its_own_entry_with_its_values(tmp_path: Path) -> None:
    content = _imported(tmp_path, 2)
    imports = {(r.entity, r.entity_id): r for r in content["audit"] if r.action == "import"}
    for table in ("treatments", "visits", "adverse_events", "flares", "concomitant_medications"):
        assert content[table], table
        for stored in content[table]:
            after = json.loads(imports[(table, stored.id)].after)
            row = dict(stored._mapping)  # raw SQLite values: dates as text, booleans as 0/1
            blank = {k for k, v in row.items() if v is None}
            assert not blank & set(after), (table, stored.id)
            filled = set(row) - blank - {"id", "patient_key", "version", "locked", "extra"}
            assert filled <= set(after), (table, stored.id)
            for name, value in after.items():
                if name != "extra":
                    assert value == row[name], (table, stored.id, name)
