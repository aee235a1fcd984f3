"""Background jobs: cohort-wide work queued in the registry and run by a worker process.

The outcome table, the study report and the exports read the whole cohort of a user's
centres; they run outside the web request as *jobs* (the ``jobs`` table, revision 0008).
A job records who submitted it and the centres it may read (the submitter's scope: a job
never reads more than its submitter may), its parameters (checked per kind,
:mod:`clears.registry._jobs_params`), its status and progress, and its result until it has
been downloaded and the retention period has passed.

States::

    queued ──claim_next──> running ──finish──> done ──(purge: result removed)
       ^                      │  └───fail────> failed
       └──requeue_stale / release┘
    queued or running ──cancel──> cancelled

Every function works in the caller's transaction (``with transaction(engine) as session``).
:func:`claim_next` is atomic across processes: on PostgreSQL the row is taken with
``FOR UPDATE SKIP LOCKED`` (two workers never get the same job and never wait for each
other); on SQLite the transaction already holds the write lock (``BEGIN IMMEDIATE``). The
worker calls :func:`progress` and :func:`beat` with the attempt it claimed, so a worker that
was presumed dead and then wakes up cannot overwrite the job of its successor. Jobs are not
clinical data: they are not written to the audit chain; the row itself keeps the submitter
and the first download (user and time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, NotFoundError, Problem
from clears.registry._accounts_rules import as_utc
from clears.registry._actor import Actor
from clears.registry._jobs_params import canonical, checked
from clears.registry._models import JOB_KINDS, JOB_STATUSES, jobs_table

__all__ = [
    "ACTIVE",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETENTION",
    "DEFAULT_STALE_AFTER",
    "JOB_KINDS",
    "JOB_STATUSES",
    "Job",
    "JobResult",
    "beat",
    "cancel",
    "claim_next",
    "fail",
    "finish",
    "get",
    "list_jobs",
    "progress",
    "purge",
    "read_result",
    "release",
    "requeue_stale",
    "submit",
    "take_result",
]

#: States in which a job still has work ahead.
ACTIVE: Final = ("queued", "running")

#: A running job whose heartbeat is older than this has lost its worker.
DEFAULT_STALE_AFTER: Final = dt.timedelta(seconds=60)

#: A job whose worker died this many times is failed instead of queued again.
DEFAULT_MAX_ATTEMPTS: Final = 3

#: Results are removed this long after their first download.
DEFAULT_RETENTION: Final = dt.timedelta(days=7)

_T = jobs_table
_SUMMARY: Final = [c for c in _T.c if c.name != "result"]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Job:
    """One job as stored, without its result bytes.

    ``centres`` and ``all_centres`` are the submitter's scope when it was submitted; the
    worker reads the registry as :meth:`actor`.
    """

    id: int
    kind: str
    parameters: Mapping[str, Any]
    submitted_by: str
    centres: tuple[str, ...]
    all_centres: bool
    status: str
    progress: float
    phase: str
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    error: str | None
    result_media: str | None
    result_name: str | None
    result_size: int | None
    downloaded_at: dt.datetime | None
    downloaded_by: str | None
    has_result: bool

    @property
    def active(self) -> bool:
        """Whether the job is queued or running."""
        return self.status in ACTIVE

    def actor(self) -> Actor:
        """The registry actor the job reads as: its submitter, in the submitter's scope."""
        if self.all_centres:
            return Actor.everywhere(self.submitted_by)
        return Actor(self.submitted_by, frozenset(self.centres))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (times in ISO 8601 UTC)."""

        def when(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat(timespec="seconds")

        return {
            "id": self.id,
            "kind": self.kind,
            "parameters": dict(self.parameters),
            "submitted_by": self.submitted_by,
            "centres": ["*"] if self.all_centres else list(self.centres),
            "status": self.status,
            "progress": round(self.progress, 4),
            "phase": self.phase,
            "attempts": self.attempts,
            "created_at": when(self.created_at),
            "started_at": when(self.started_at),
            "finished_at": when(self.finished_at),
            "heartbeat_at": when(self.heartbeat_at),
            "error": self.error,
            "result": None
            if self.result_name is None
            else {
                "name": self.result_name,
                "media_type": self.result_media,
                "size": self.result_size,
                "available": self.has_result,
            },
            "downloaded_at": when(self.downloaded_at),
            "downloaded_by": self.downloaded_by,
        }


@dataclass(frozen=True, slots=True)
class JobResult:
    """The file a finished job produced."""

    data: bytes
    media_type: str
    name: str


def _job(row: sa.Row[Any]) -> Job:
    m = row._mapping
    created = as_utc(m["created_at"])
    assert created is not None  # NOT NULL
    return Job(
        id=m["id"],
        kind=m["kind"],
        parameters=json.loads(m["parameters"]),
        submitted_by=m["submitted_by"],
        centres=tuple(json.loads(m["centres"])),
        all_centres=bool(m["all_centres"]),
        status=m["status"],
        progress=float(m["progress"]),
        phase=m["phase"],
        attempts=int(m["attempts"]),
        created_at=created,
        started_at=as_utc(m["started_at"]),
        finished_at=as_utc(m["finished_at"]),
        heartbeat_at=as_utc(m["heartbeat_at"]),
        error=m["error"],
        result_media=m["result_media"],
        result_name=m["result_name"],
        result_size=m["result_size"],
        downloaded_at=as_utc(m["downloaded_at"]),
        downloaded_by=m["downloaded_by"],
        has_result=bool(m["has_result"]),
    )


def _select() -> sa.Select[Any]:
    return sa.select(*_SUMMARY, _T.c.result.is_not(None).label("has_result"))


def _scoped(query: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    return query if actor.all_centres else query.where(_T.c.submitted_by == actor.user)


def _active_key(kind: str, parameters: str, actor: Actor, centres: list[str]) -> str:
    scope = "*" if actor.all_centres else ",".join(centres)
    text = "\x1f".join((kind, parameters, actor.user, scope))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _by_id(session: Session, job_id: int) -> Job | None:
    row = session.execute(_select().where(_T.c.id == job_id)).one_or_none()
    return None if row is None else _job(row)


def submit(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    parameters: Mapping[str, object] | None = None,
    now: dt.datetime | None = None,
) -> Job:
    """Queue a job of ``kind`` for ``actor``; an identical job still queued or running (same
    kind, parameters, submitter and scope) is returned instead of a second one.

    Raises
    ------
    InputError
        Unknown kind or parameters outside the allowed values (nothing is queued).
    """
    text = canonical(checked(kind, parameters))
    centres = sorted(actor.centres)
    key = _active_key(kind, text, actor, centres)
    existing = session.execute(_select().where(_T.c.active_key == key)).one_or_none()
    if existing is not None:
        return _job(existing)
    values = {
        "kind": kind,
        "parameters": text,
        "active_key": key,
        "submitted_by": actor.user,
        "centres": json.dumps(centres),
        "all_centres": actor.all_centres,
        "status": "queued",
        "progress": 0.0,
        "phase": "waiting for a worker",
        "attempts": 0,
        "created_at": _now(now),
    }
    try:
        with session.begin_nested():
            new_id = session.execute(sa.insert(_T).values(**values).returning(_T.c.id)).scalar_one()
    except sa.exc.IntegrityError:
        # PostgreSQL: an identical submission committed first (its insert is what this one
        # waited for); SQLite never gets here, its writers are serialised.
        row = session.execute(_select().where(_T.c.active_key == key)).one()
        return _job(row)
    job = _by_id(session, int(new_id))
    assert job is not None
    return job


def get(session: Session, *, actor: Actor, job_id: int) -> Job:
    """One job the actor may see: their own, or any for a network-wide actor.

    Raises
    ------
    NotFoundError
        No such job, or another user's (the same answer for both).
    """
    row = session.execute(_scoped(_select().where(_T.c.id == job_id), actor)).one_or_none()
    if row is None:
        raise NotFoundError(f"job {job_id} not found")
    return _job(row)


def list_jobs(session: Session, *, actor: Actor, limit: int = 50) -> list[Job]:
    """The actor's jobs (every job for a network-wide actor), newest first."""
    query = _scoped(_select(), actor).order_by(_T.c.id.desc()).limit(limit)
    return [_job(row) for row in session.execute(query)]


def claim_next(session: Session, *, now: dt.datetime | None = None) -> Job | None:
    """Take the oldest queued job and mark it running (``None`` when the queue is empty).

    The claimed job's ``attempts`` is what the worker passes back to :func:`progress`,
    :func:`beat`, :func:`finish`, :func:`fail` and :func:`release`.
    """
    query = sa.select(_T.c.id).where(_T.c.status == "queued").order_by(_T.c.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = session.execute(query).scalar_one_or_none()
    if job_id is None:
        return None
    at = _now(now)
    session.execute(
        sa.update(_T)
        .where(_T.c.id == job_id)
        .values(
            status="running",
            started_at=at,
            heartbeat_at=at,
            attempts=_T.c.attempts + 1,
            progress=0.0,
            phase="started",
        )
    )
    return _by_id(session, int(job_id))


def _running(job_id: int, attempt: int) -> sa.ColumnElement[bool]:
    return sa.and_(_T.c.id == job_id, _T.c.status == "running", _T.c.attempts == attempt)


def progress(
    session: Session,
    *,
    job_id: int,
    attempt: int,
    fraction: float,
    phase: str,
    now: dt.datetime | None = None,
) -> bool:
    """Record progress (``fraction`` of 0-1 and a short phase text); also a heartbeat.

    Returns
    -------
    bool
        ``False`` when the job is no longer this attempt's to run (cancelled, or re-queued
        after its heartbeat stopped): the worker should stop working on it.
    """
    if not 0.0 <= fraction <= 1.0:
        raise InputError(Problem("fraction", fraction, "is outside 0-1", "0 to 1"))
    done = session.execute(
        sa.update(_T)
        .where(_running(job_id, attempt))
        .values(progress=fraction, phase=phase[:200], heartbeat_at=_now(now))
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def beat(session: Session, *, job_id: int, attempt: int, now: dt.datetime | None = None) -> bool:
    """Renew the heartbeat of a running job (``False`` as in :func:`progress`)."""
    done = session.execute(
        sa.update(_T).where(_running(job_id, attempt)).values(heartbeat_at=_now(now))
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def finish(
    session: Session,
    *,
    job_id: int,
    attempt: int,
    result: JobResult,
    now: dt.datetime | None = None,
) -> bool:
    """Store the result of a running job and mark it done (``False`` if no longer ours)."""
    done = session.execute(
        sa.update(_T)
        .where(_running(job_id, attempt))
        .values(
            status="done",
            progress=1.0,
            phase="done",
            finished_at=_now(now),
            active_key=None,
            result=result.data,
            result_media=result.media_type,
            result_name=result.name,
            result_size=len(result.data),
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def fail(
    session: Session, *, job_id: int, attempt: int, error: str, now: dt.datetime | None = None
) -> bool:
    """Mark a running job failed with ``error`` (``False`` if no longer ours)."""
    done = session.execute(
        sa.update(_T)
        .where(_running(job_id, attempt))
        .values(
            status="failed", phase="failed", finished_at=_now(now), active_key=None, error=error
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def release(session: Session, *, job_id: int, attempt: int) -> bool:
    """Put a running job back in the queue without counting the attempt (a worker asked to
    stop hands its job over)."""
    done = session.execute(
        sa.update(_T)
        .where(_running(job_id, attempt))
        .values(
            status="queued",
            attempts=_T.c.attempts - 1,
            progress=0.0,
            phase="waiting for a worker (the previous one stopped)",
            started_at=None,
            heartbeat_at=None,
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def cancel(session: Session, *, actor: Actor, job_id: int, now: dt.datetime | None = None) -> Job:
    """Cancel a queued or running job the actor may see; a running job's worker stops at
    its next progress report.

    Raises
    ------
    NotFoundError
        As :func:`get`.
    InputError
        The job has already finished.
    """
    job = get(session, actor=actor, job_id=job_id)
    if not job.active:
        raise InputError(
            Problem("status", job.status, f"job {job_id} has already finished", "queued, running")
        )
    session.execute(
        sa.update(_T)
        .where(_T.c.id == job_id, _T.c.status.in_(ACTIVE))
        .values(
            status="cancelled",
            phase=f"cancelled by {actor.user}"[:200],
            finished_at=_now(now),
            active_key=None,
        )
    )
    return get(session, actor=actor, job_id=job_id)


def read_result(session: Session, *, actor: Actor, job_id: int) -> JobResult:
    """The result of a finished job the actor may see, without recording a download.

    Raises
    ------
    NotFoundError
        As :func:`get`, or the job has no result (not done yet, failed, or its result was
        removed after the retention period).
    """
    job = get(session, actor=actor, job_id=job_id)
    data = session.execute(sa.select(_T.c.result).where(_T.c.id == job_id)).scalar_one()
    if job.status != "done" or data is None:
        why = "was removed after the retention period" if job.status == "done" else job.status
        raise NotFoundError(f"job {job_id} has no result ({why})")
    return JobResult(
        bytes(data), job.result_media or "application/octet-stream", job.result_name or ""
    )


def take_result(
    session: Session, *, actor: Actor, job_id: int, now: dt.datetime | None = None
) -> JobResult:
    """The result (as :func:`read_result`), recording the first download: who and when."""
    result = read_result(session, actor=actor, job_id=job_id)
    session.execute(
        sa.update(_T)
        .where(_T.c.id == job_id, _T.c.downloaded_at.is_(None))
        .values(downloaded_at=_now(now), downloaded_by=actor.user)
    )
    return result


def requeue_stale(
    session: Session,
    *,
    stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: dt.datetime | None = None,
) -> list[int]:
    """Re-queue running jobs whose heartbeat is older than ``stale_after`` (their worker
    died); a job that has had ``max_attempts`` attempts is failed with the reason instead.

    Returns
    -------
    list of int
        The ids of the jobs re-queued or failed.
    """
    at = _now(now)
    query = sa.select(_T.c.id, _T.c.attempts, _T.c.heartbeat_at).where(
        _T.c.status == "running", _T.c.heartbeat_at < at - stale_after
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = session.execute(query.order_by(_T.c.id)).all()
    for job_id, attempts, heartbeat in found:
        where = sa.and_(_T.c.id == job_id, _T.c.status == "running", _T.c.attempts == attempts)
        seen = as_utc(heartbeat)
        last = "never" if seen is None else seen.isoformat(timespec="seconds")
        if attempts >= max_attempts:
            reason = (
                f"its worker stopped {attempts} time(s) without finishing (last heartbeat "
                f"{last}); the limit is {max_attempts} attempts"
            )
            values: dict[str, Any] = {
                "status": "failed",
                "phase": "failed",
                "finished_at": at,
                "active_key": None,
                "error": reason,
            }
        else:
            values = {
                "status": "queued",
                "progress": 0.0,
                "phase": f"waiting for a worker (the previous one stopped at {last})",
                "started_at": None,
                "heartbeat_at": None,
            }
        session.execute(sa.update(_T).where(where).values(**values))
    return [int(row[0]) for row in found]


def purge(
    session: Session, *, retention: dt.timedelta = DEFAULT_RETENTION, now: dt.datetime | None = None
) -> int:
    """Remove the results first downloaded more than ``retention`` ago (the job rows stay);
    return how many were removed."""
    done = session.execute(
        sa.update(_T)
        .where(_T.c.result.is_not(None), _T.c.downloaded_at < _now(now) - retention)
        .values(result=None)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
