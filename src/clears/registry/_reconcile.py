"""Reconcile the registry's rows with the state its audit trail reconstructs.

Every audited write records the whole row after it (``after``: every non-blank data column;
for an update, the row as it became), so replaying a record's entries in order gives the
values it must hold now: ``insert`` and ``import`` create it, ``update`` replaces its values
(keys that are not data columns, the centre of a patient and the ``extra`` columns of an
import, carry over), ``delete`` ends it (a deleted patient ends all of their records). Each
stored row is compared field by field with that state; a row without entries, a record whose
entries say it exists but whose row is gone, and a row moved to another patient are reported.

The work is chunked by patient (``chunk`` patients, their audit entries through the index on
``audit_log.patient_id``, and their rows through the indexes on ``patient_key``), so memory
does not grow with the registry. Patients imported before imports recorded every row (their
import entry counts rows but no row has an entry of its own) are reconciled by count: up to
that many rows without entries are accepted, and reported as a note.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._models import ENTITY_TABLES, audit_table, centres_table, data_columns

__all__ = ["Reconciliation", "reconcile"]

_CHILDREN: Final = tuple(name for name in ENTITY_TABLES if name != "patients")
_CREATES: Final = frozenset({"insert", "import"})

Key = tuple[str, int]
#: A row or an audit entry as read (``RowMapping`` or a plain dict).
Row = Mapping[Any, Any]


def _compared(table: str) -> tuple[str, ...]:
    """The fields of a row its audit entries must account for."""
    if table == "centres":
        return ("code", "name")
    names = list(data_columns(table))
    if table == "visits":
        names.append("locked")
    if table == "patients":
        names.append("centre")
    return (*names, "extra")


_COMPARED: Final = {name: _compared(name) for name in (*ENTITY_TABLES, "centres")}
#: The data columns of each table: an update's ``after`` holds all of them (blank ones
#: left out); other keys of the state (centre, extra, an import's row counts) carry over.
_OWN: Final = {
    **{name: frozenset(data_columns(name)) | {"locked"} for name in ENTITY_TABLES},
    "centres": frozenset({"code", "name"}),
}


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored values as the audit trail records them: blanks dropped, dates as ISO text.

    (The JSON of :func:`~clears.registry._canonical.canonical` read back gives the same for
    the column types of the registry: text, numbers, booleans, dates, the JSON ``extra``.)
    """
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in values.items()
        if value is not None
    }


@functools.cache
def _as_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(names)


def _audited(names: frozenset[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """The compared fields of an audited state, blanks dropped (``locked`` false is blank)."""
    kept = {k: v for k, v in values.items() if k in names and v is not None}
    if kept.get("locked") is False:
        del kept["locked"]
    return kept


@dataclass(slots=True)
class _State:
    patient_id: str | None
    values: dict[str, Any] | None  # None: deleted


@dataclass(slots=True)
class _Stored:
    patient_id: str | None
    values: dict[str, Any]


@dataclass(slots=True)
class Reconciliation:
    """Rows compared, the problems found, and notes (rows that could only be counted)."""

    rows: int = 0
    problems: list[str] = field(default_factory=list)
    legacy_rows: int = 0
    compared: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(_COMPARED))
    _unentered: dict[Key, _Stored] = field(default_factory=dict)
    _gone: dict[Key, _State] = field(default_factory=dict)


def _replay(states: dict[Key, _State], entry: Row) -> None:
    entity, action = str(entry["entity"]), str(entry["action"])
    if entity not in _COMPARED or entry["entity_id"] is None:
        return
    key = (entity, int(entry["entity_id"]))
    after: dict[str, Any] = json.loads(entry["after"]) if entry["after"] else {}
    if action in _CREATES:
        states[key] = _State(entry["patient_id"], after)
    elif action == "update":
        previous = states.get(key)
        carried = {}
        if previous is not None and previous.values is not None:
            carried = {k: v for k, v in previous.values.items() if k not in _OWN[entity]}
        states[key] = _State(entry["patient_id"], {**carried, **after})
    elif action == "delete":
        states[key] = _State(entry["patient_id"], None)
        if entity == "patients":
            for state in states.values():
                if state.patient_id == entry["patient_id"]:
                    state.values = None


def _shown(value: object) -> str:
    return "blank" if value is None else json.dumps(value, ensure_ascii=False)


def _where(key: Key, patient_id: str | None) -> str:
    owner = f"patient {patient_id}" if patient_id is not None else "no patient"
    return f"{key[0]} {key[1]} ({owner})"


def _differences(
    names: tuple[str, ...], key: Key, stored: _Stored, audited: Mapping[str, Any]
) -> Iterator[str]:
    if stored.values == _audited(_as_set(names), audited):
        return
    for name in names:
        have, want = stored.values.get(name), audited.get(name)
        if name == "locked":
            have, want = bool(have), bool(want)
        if have != want:
            yield (
                f"{_where(key, stored.patient_id)}: {name} stored {_shown(have)}, "
                f"audited {_shown(want)} (changed outside clears)"
            )


def _compare(tally: Reconciliation, key: Key, stored: _Stored, state: _State | None) -> None:
    tally.rows += 1
    if state is None:
        tally._unentered[key] = stored
        return
    if state.values is None:
        tally.problems.append(
            f"{_where(key, stored.patient_id)}: stored, but its audit entries delete it "
            "(restored or added outside clears)"
        )
        return
    if state.patient_id != stored.patient_id and key[0] != "centres":
        tally.problems.append(
            f"{_where(key, stored.patient_id)}: patient stored {_shown(stored.patient_id)}, "
            f"audited {_shown(state.patient_id)} (moved outside clears)"
        )
    tally.problems.extend(_differences(tally.compared[key[0]], key, stored, state.values))


def _legacy_allowance(entries: Iterable[Row]) -> dict[str, dict[str, int]]:
    """Row counts of patients imported before every imported row had its own entry."""
    counts: dict[str, dict[str, int]] = {}
    per_row: set[str] = set()
    for entry in entries:
        if entry["action"] != "import" or entry["patient_id"] is None:
            continue
        if entry["entity"] == "patients":
            rows = json.loads(entry["after"] or "{}").get("rows") or {}
            counts[str(entry["patient_id"])] = {str(k): int(v) for k, v in rows.items()}
        else:
            per_row.add(str(entry["patient_id"]))
    return {pid: rows for pid, rows in counts.items() if pid not in per_row}


def _selected(
    name: str, compared: Mapping[str, tuple[str, ...]]
) -> tuple[sa.Select[Any], tuple[str, ...]]:
    """``SELECT id, patient_key, <compared columns>`` of a record table, and those names."""
    table = ENTITY_TABLES[name]
    names = tuple(k for k in compared[name] if k in table.c)
    return sa.select(table.c.id, table.c.patient_key, *(_raw(table.c[k]) for k in names)), names


def _raw(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """A date column as the driver gives it (ISO text on SQLite, no parsing back and forth)."""
    if isinstance(column.type, sa.Date):
        return sa.type_coerce(column, sa.String()).label(column.name)
    return column


def _child_rows(
    session: Session, keys: Mapping[int, str], compared: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[Key, _Stored]]:
    for name in (child for child in _CHILDREN if child in compared):
        table = ENTITY_TABLES[name]
        query, names = _selected(name, compared)
        query = query.where(table.c.patient_key.in_(list(keys))).order_by(table.c.id)
        for row in session.execute(query).all():
            values = _plain(_locked_blank(dict(zip(names, row[2:], strict=True))))
            yield (name, int(row[0])), _Stored(keys[row[1]], values)


def _locked_blank(values: dict[str, Any]) -> dict[str, Any]:
    """An unlocked visit's ``locked`` as blank (imports leave it to the column default)."""
    if values.get("locked") is False:
        values["locked"] = None
    return values


def _row_values(names: tuple[str, ...], row: Row) -> dict[str, Any]:
    return _plain(_locked_blank({k: row[k] for k in names if k in row}))


def _entries(session: Session, patient_ids: Sequence[str]) -> list[Row]:
    columns = (
        audit_table.c.action,
        audit_table.c.entity,
        audit_table.c.entity_id,
        audit_table.c.patient_id,
        audit_table.c.after,
    )
    query = (
        sa.select(*columns)
        .where(audit_table.c.patient_id.in_(list(patient_ids)))
        .order_by(audit_table.c.id)
    )
    return list(session.execute(query).mappings().all())


def _patient_chunk(session: Session, tally: Reconciliation, patients: Sequence[Row]) -> None:
    keys = {int(row["id"]): str(row["patient_id"]) for row in patients}
    entries = _entries(session, list(keys.values()))
    states: dict[Key, _State] = {}
    for entry in entries:
        _replay(states, entry)
    legacy = _legacy_allowance(entries)
    stored: list[tuple[Key, _Stored]] = [
        (
            ("patients", int(row["id"])),
            _Stored(str(row["patient_id"]), _row_values(tally.compared["patients"], row)),
        )
        for row in patients
    ]
    stored += list(_child_rows(session, keys, tally.compared))
    for key, row in stored:
        state = states.pop(key, None)
        allowance = legacy.get(row.patient_id or "", {})
        if state is None and allowance.get(key[0], 0) > 0:
            allowance[key[0]] -= 1
            tally.rows += 1
            tally.legacy_rows += 1
            continue
        _compare(tally, key, row, state)
    _left_over(tally, states)


def _left_over(tally: Reconciliation, states: Mapping[Key, _State]) -> None:
    for key, state in states.items():
        if state.values is not None:
            tally._gone[key] = state


def _patients(
    session: Session, chunk: int, compared: Mapping[str, tuple[str, ...]]
) -> Iterator[Sequence[Row]]:
    table = ENTITY_TABLES["patients"]
    columns = [table.c[k] for k in compared["patients"] if k in table.c]
    last = 0
    while True:
        query = (
            sa.select(
                table.c.id, table.c.patient_id, *columns, centres_table.c.code.label("centre")
            )
            .join(centres_table, table.c.centre_key == centres_table.c.id)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(chunk)
        )
        batch = session.execute(query).mappings().all()
        if not batch:
            return
        yield batch
        last = int(batch[-1]["id"])


def _absent_patients(session: Session, chunk: int) -> Iterator[list[str]]:
    """Patient ids that audit entries name but no patient row holds, ``chunk`` at a time."""
    patients = ENTITY_TABLES["patients"]
    query = (
        sa.select(audit_table.c.patient_id)
        .where(audit_table.c.patient_id.is_not(None))
        .where(~sa.exists().where(patients.c.patient_id == audit_table.c.patient_id))
        .distinct()
    )
    found = sorted(str(pid) for pid in session.execute(query).scalars())
    for start in range(0, len(found), chunk):
        yield found[start : start + chunk]


def _orphans(
    session: Session, compared: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[Key, _Stored]]:
    """Rows whose ``patient_key`` names no patient (possible only with foreign keys off)."""
    patients = ENTITY_TABLES["patients"]
    for name in (child for child in _CHILDREN if child in compared):
        table = ENTITY_TABLES[name]
        query, names = _selected(name, compared)
        query = query.where(~sa.exists().where(patients.c.id == table.c.patient_key))
        for row in session.execute(query):
            values = _plain(_locked_blank(dict(zip(names, row[2:], strict=True))))
            yield (name, int(row[0])), _Stored(None, values)


def _centres(session: Session, tally: Reconciliation, entries: Iterable[Row]) -> None:
    states: dict[Key, _State] = {}
    for entry in entries:
        _replay(states, entry)
    for row in session.execute(sa.select(centres_table).order_by(centres_table.c.id)).mappings():
        key = ("centres", int(row["id"]))
        stored = _Stored(None, _row_values(tally.compared["centres"], row))
        _compare(tally, key, stored, states.pop(key, None))
    _left_over(tally, states)


def _pair(tally: Reconciliation) -> None:
    """Report rows without entries and entries without rows; a pair is a row moved."""
    for key in sorted(set(tally._unentered) | set(tally._gone)):
        stored, state = tally._unentered.get(key), tally._gone.get(key)
        if stored is not None and state is not None and state.values is not None:
            tally.rows -= 1  # counted once more by _compare
            _compare(tally, key, stored, state)
        elif stored is not None:
            tally.problems.append(
                f"{_where(key, stored.patient_id)}: stored row has no audit entry "
                "(added outside clears)"
            )
        elif state is not None:
            tally.problems.append(
                f"{_where(key, state.patient_id)}: the row is gone but no audit entry deletes "
                "it (deleted outside clears)"
            )
    tally._unentered.clear()
    tally._gone.clear()


def _present(session: Session) -> dict[str, tuple[str, ...]]:
    """The compared fields of each table that its database columns hold.

    A database at an older revision (a backup, one not yet upgraded) lacks the newer
    columns and tables; they are neither read nor compared.
    """
    inspector = sa.inspect(session.connection())
    tables = set(inspector.get_table_names())
    compared = {}
    for name, fields in _COMPARED.items():
        if name not in tables:  # e.g. concomitant_medications before revision 0004
            continue
        present = {str(column["name"]) for column in inspector.get_columns(name)}
        derived = {"centre"} if name == "patients" else set()  # the centre's code, joined
        compared[name] = tuple(k for k in fields if k in present or k in derived)
    return compared


def reconcile(
    session: Session, *, centre_entries: Iterable[Row], chunk: int = 1_000
) -> Reconciliation:
    """Compare every row of every audited table with the state its audit entries rebuild.

    Parameters
    ----------
    session
        An open session on the registry.
    centre_entries
        The audit entries of the ``centres`` table, oldest first (collected while walking
        the chain; centres carry no patient id).
    chunk
        Patients reconciled at a time.
    """
    tally = Reconciliation(compared=_present(session))
    _centres(session, tally, centre_entries)
    for patients in _patients(session, chunk, tally.compared):
        _patient_chunk(session, tally, patients)
    for absent in _absent_patients(session, chunk):
        states: dict[Key, _State] = {}
        for entry in _entries(session, absent):
            _replay(states, entry)
        _left_over(tally, states)
    for key, stored in _orphans(session, tally.compared):
        tally.rows += 1
        tally._unentered[key] = stored
    _pair(tally)
    return tally
