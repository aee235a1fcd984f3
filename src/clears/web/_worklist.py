"""The safety worklist of the web app, cached per patient.

Advising one patient costs about 20 ms, so screening a whole registry on every request would
make the page grow with the registry (5,000 patients: about 100 s). Each patient's worklist
row is therefore kept with the key it was computed under, ``(last audit entry id of the
patient, day)``: a patient is screened again only when one of their records changed since
(every write appends an audit entry naming the patient) or on a new day. The stale patients
are screened in a background thread; a request waits for that at most ``wait`` seconds and
otherwise shows the rows screened so far, saying how many are still being screened.
Only :func:`clears.protocol._worklist.worklist_row` decides what is on the list.

Each screening also stores every screened patient's counts (alerts above ``info``, overdue
monitoring items) in the registry under the same key
(:func:`clears.registry.store_worklist_summaries`), so that the patient list can filter
100,000 patients on them in SQL; the registry only keeps the counts, this module computes
them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from clears._exceptions import ClearsError
from clears.protocol import ProtocolDefinition, WorklistRow, load_protocol
from clears.protocol._worklist import sort_rows, split_by_patient, worklist_row
from clears.registry import (
    Actor,
    WorklistSummary,
    last_entry_ids,
    store_worklist_summaries,
    transaction,
)
from clears.registry.exporter import export_cohort
from clears.web.deps import Registry

__all__ = ["WorklistCache", "WorklistView", "app_cache"]

_CREATE = threading.Lock()

#: A patient's cache key: the id of their last audit entry (0 when none) and the day.
Key = tuple[int, dt.date]
#: Up to this many stale patients are read from the registry by id; more, the whole cohort
#: of the actor is read once (one query per table either way).
_FEW = 500


@dataclass(frozen=True)
class WorklistView:
    """What the page shows: the rows (most urgent first) and how complete they are."""

    as_of: dt.date
    protocol: str
    rows: tuple[WorklistRow, ...]
    n_screened: int
    n_pending: int
    error: str | None = None
    #: Patients shown with the row of an earlier screening (records changed, or a new day).
    outdated: frozenset[str] = frozenset()


@dataclass
class _Entry:
    key: Key
    row: WorklistRow | None


@dataclass
class WorklistCache:
    """Worklist rows per patient, recomputed only for patients whose records changed.

    Parameters
    ----------
    protocol
        The protocol of the app (``Settings.protocol``).
    error
        The last screening failure (shown on the page), None after a screening succeeds.
    store_error
        Why the counts of the last screening could not be stored in the registry, or None.
    """

    protocol: str
    error: str | None = None
    store_error: str | None = None
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: set[str] = field(default_factory=set)
    _done: threading.Condition = field(default_factory=threading.Condition)

    @cached_property
    def definition(self) -> ProtocolDefinition:
        """The protocol, read once (not on every request or screening)."""
        return load_protocol(self.protocol)

    @property
    def label(self) -> str:
        """``name version`` of the protocol: shown on pages, and the key of stored summaries."""
        return f"{self.definition.name} {self.definition.version}"

    def view(
        self, registry: Registry, *, actor: Actor, as_of: dt.date, wait: float = 10.0
    ) -> WorklistView:
        """The worklist of the actor's patients on ``as_of``, screening stale patients first
        (in the background when it takes longer than ``wait`` seconds)."""
        with registry.session() as session:
            keys = last_entry_ids(session, actor=actor)
        wanted = {pid: (entry, as_of) for pid, entry in keys.items()}
        stale = self._stale(wanted)
        if stale:
            self._start(registry, actor, stale)
            with self._done:
                self._done.wait_for(lambda: not self._stale(wanted), timeout=wait)
        with self._lock:
            known = {pid: self._entries[pid] for pid in wanted if pid in self._entries}
        fresh = {pid for pid, e in known.items() if e.key == wanted[pid]}
        # A patient still being screened keeps the row of their last screening (marked), so
        # that a patient on the list never drops off it while their new records are read.
        shown = [e.row for e in known.values() if e.row is not None]
        return WorklistView(
            as_of=as_of,
            protocol=self.label,
            rows=sort_rows(shown),
            n_screened=len(fresh),
            n_pending=len(wanted) - len(fresh),
            error=self.error,
            outdated=frozenset(
                pid for pid, e in known.items() if pid not in fresh and e.row is not None
            ),
        )

    def _stale(self, wanted: Mapping[str, Key]) -> dict[str, Key]:
        with self._lock:
            return {
                pid: key
                for pid, key in wanted.items()
                if (entry := self._entries.get(pid)) is None or entry.key != key
            }

    def _start(self, registry: Registry, actor: Actor, stale: dict[str, Key]) -> None:
        with self._lock:
            todo = {pid: key for pid, key in stale.items() if pid not in self._running}
            self._running.update(todo)
        if todo:
            threading.Thread(
                target=self._screen,
                args=(registry, actor, todo),
                name="clears-worklist",
                daemon=True,
            ).start()

    def _store(self, registry: Registry, actor: Actor, summaries: list[WorklistSummary]) -> None:
        """Keep the counts in the registry, in a transaction of its own that writes (the
        request that started the screening may only read). A registry that refuses the write
        (busy, held, full) leaves these patients "not yet screened" on the patient list,
        which says so with :attr:`store_error`."""
        try:
            with transaction(registry.engine) as session:
                store_worklist_summaries(session, actor=actor, summaries=summaries)
        except ClearsError as exc:
            self.store_error = f"{type(exc).__name__}: {exc}"
        else:
            self.store_error = None

    def _screen(self, registry: Registry, actor: Actor, todo: dict[str, Key]) -> None:
        try:
            definition = self.definition
            few = todo if len(todo) <= _FEW else None  # a few: read only theirs
            with registry.session() as session:
                cohort = export_cohort(actor=actor, session=session, patient_ids=few)
            summaries = []
            for pid, alone in split_by_patient(cohort):
                key = todo.get(pid)
                if key is None:
                    continue
                row = worklist_row(alone, pid, as_of=key[1], protocol=definition)
                with self._lock:
                    self._entries[pid] = _Entry(key, row)
                summaries.append(_summary(pid, key, row, self.label))
            self.error = None
            self._store(registry, actor, summaries)
        except Exception as exc:  # reported on the page; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            with self._lock:
                self._running.difference_update(todo)
            with self._done:
                self._done.notify_all()


def _summary(patient_id: str, key: Key, row: WorklistRow | None, protocol: str) -> WorklistSummary:
    """What the registry keeps of a patient's screening: the counts, under the key."""
    return WorklistSummary(
        patient_id=patient_id,
        protocol=protocol,
        as_of=key[1],
        last_entry_id=key[0],
        alerts=0 if row is None else len(row.alerts),
        overdue=0 if row is None else len(row.overdue),
    )


def app_cache(app: Any, protocol: str) -> WorklistCache:
    """The worklist cache of an app instance (``app.state.worklist_cache``), created on
    first use, and again when the app's protocol changed."""
    with _CREATE:
        cache = getattr(app.state, "worklist_cache", None)
        if not isinstance(cache, WorklistCache) or cache.protocol != protocol:
            cache = WorklistCache(protocol)
            app.state.worklist_cache = cache
        return cache
