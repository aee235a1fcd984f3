"""Bulk audit appends (the import's): the same chain, entry for entry, as one call per change.

``audit.append`` writes its entries with multi-row inserts of ``audit.BULK`` entries. Made
small here, one call of many changes spans several statements; the entries it writes must be
the very rows (ids, payload, ``prev_hash``, hash) that appending the same changes one call at
a time writes, each hash must be the documented HMAC-SHA256 recomputed independently
(``tests/registry/_chain.py``); an import written that way passes ``clears audit verify``.
Both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._chain import hmac_of
from tests.registry._helpers import ADMIN
from tests.registry._own_db import own_database

from clears.registry import audit
from clears.registry._engine import make_engine, transaction
from clears.registry._models import audit_table
from clears.registry.importer import import_cohort

EXAMPLE = Path(__file__).parents[2] / "examples" / "cohort"

KEY = "bulk-test-key-" + "0123456789abcdef" * 3
AT = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)


def _changes() -> list[audit.Change]:
    """Varied changes: inserts, updates with a reason, text needing escapes, nulls, dates."""
    found = []
    for n in range(23):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=n)
        after = {"visit_date": day, "anc": n / 4, "note": f'Ménière "{n}"\n\\ ✓', "blank": None}
        before = None if n % 3 else {"anc": n}
        action, reason = ("update", "typo") if before else ("import", None)
        found.append(audit.Change(action, "visits", n + 1, f"P{n % 5:02d}", before, after, reason))
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty registries on the same backend."""
    with (
        own_database(request, f"sqlite:///{tmp_path / 'a.db'}") as first,
        own_database(request, f"sqlite:///{tmp_path / 'b.db'}") as second,
    ):
        yield first, second


def _entries(url: str) -> list[dict[str, object]]:
    engine = make_engine(url)
    try:
        with transaction(engine, write=False) as session:
            query = sa.select(audit_table).order_by(audit_table.c.id)
            return [dict(row) for row in session.execute(query).mappings()]
    finally:
        engine.dispose()


def _verified(url: str) -> bool:
    engine = make_engine(url)
    try:
        with transaction(engine, write=False) as session:
            return audit.verify(session).ok
    finally:
        engine.dispose()


@pytest.mark.slow
def test_bulk_and_one_by_one_write_the_same_chain(
    two: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARS_AUDIT_KEY", KEY)
    monkeypatch.setattr(audit, "BULK", 5)  # 23 changes: five statements in one call
    bulk, single = two
    changes = _changes()
    engine = make_engine(bulk)
    with transaction(engine) as session:
        ids = audit.append(session, actor=ADMIN, changes=changes, at=AT)
    engine.dispose()
    engine = make_engine(single)
    with transaction(engine) as session:
        one_by_one = [audit.append(session, actor=ADMIN, changes=[c], at=AT)[0] for c in changes]
    engine.dispose()
    written = _entries(bulk)
    assert ids == one_by_one == list(range(1, len(changes) + 1))
    assert written == _entries(single)
    previous = audit.GENESIS
    for entry, change in zip(written, changes, strict=True):
        assert entry["prev_hash"] == previous
        assert entry["hash"] == hmac_of(entry, KEY)
        assert (entry["entity_id"], entry["reason"]) == (change.entity_id, change.reason)
        previous = str(entry["hash"])


@pytest.mark.slow
def test_an_import_appended_in_bulk_verifies(
    two: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARS_AUDIT_KEY", KEY)
    monkeypatch.setattr(audit, "BULK", 7)
    url, _ = two
    summary = import_cohort(EXAMPLE, actor=ADMIN, url=url, today=dt.date(2030, 1, 1))
    entries = _entries(url)
    assert len(entries) > 7 * 3  # several statements per chunk
    assert len(entries) >= sum(summary.rows.values())  # one entry per imported row at least
    assert _verified(url)
