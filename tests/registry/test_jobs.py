"""Background job services on SQLite and PostgreSQL: submit, claim, progress, results, scope.

Expected states follow the transitions documented in clears.registry.jobs (docs/registry.md,
"Background jobs"); times are given explicitly (``now=``) so that staleness and retention are
checked on both sides of their limits.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO

from clears._exceptions import InputError, NotFoundError
from clears.registry import jobs
from clears.registry._models import jobs_table

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
RESULT = jobs.JobResult(b"patient_id\nP1\n", "text/csv", "clears-outcomes-aitmehdi2021.csv")


def _claim(session: Session, now: dt.datetime = T0) -> jobs.Job:
    job = jobs.claim_next(session, now=now)
    assert job is not None
    return job


def test_submit_fills_defaults_and_records_submitter_and_scope(session: Session) -> None:
    job = jobs.submit(session, actor=BCN, kind="report", now=T0)
    assert (job.kind, job.status, job.progress) == ("report", "queued", 0.0)
    assert dict(job.parameters) == {"criteria": ["aitmehdi2021", "cortes2012"], "format": "html"}
    assert (job.submitted_by, job.centres, job.all_centres) == ("dr_bcn", ("BCN",), False)
    assert job.created_at == T0
    assert job.actor() == BCN


@pytest.mark.parametrize(
    ("kind", "parameters", "field", "allowed"),
    [
        ("sums", {}, "kind", "outcomes, report, export"),
        ("export", {"format": "pdf"}, "parameters.format", '"csv", "parquet"'),
        ("export", {"deidentified": 1}, "parameters.deidentified", "false, true"),
        ("outcomes", {"criteria": "nope"}, "parameters.criteria", '"aitmehdi2021"'),
        ("report", {"criteria": []}, "parameters.criteria", "a list of"),
        ("report", {"colour": "red"}, "parameters.colour", "format, criteria"),
    ],
)
def test_bad_parameters_name_the_field_and_allowed_values_and_queue_nothing(
    session: Session, kind: str, parameters: dict[str, object], field: str, allowed: str
) -> None:
    with pytest.raises(InputError) as raised:
        jobs.submit(session, actor=BCN, kind=kind, parameters=parameters)
    [problem] = raised.value.problems
    assert problem.field == field
    assert allowed in (problem.allowed or "")
    assert session.execute(sa.select(sa.func.count()).select_from(jobs_table)).scalar() == 0


def test_identical_submission_while_active_returns_the_same_job(session: Session) -> None:
    first = jobs.submit(session, actor=BCN, kind="export", parameters={"format": "fhir"})
    again = jobs.submit(
        session, actor=BCN, kind="export", parameters={"deidentified": False, "format": "fhir"}
    )
    assert again.id == first.id
    other_format = jobs.submit(session, actor=BCN, kind="export", parameters={"format": "csv"})
    other_user = jobs.submit(session, actor=LYO, kind="export", parameters={"format": "fhir"})
    assert len({first.id, other_format.id, other_user.id}) == 3
    # Once it has finished, the same submission queues a new job.
    claimed = _claim(session)
    assert claimed.id == first.id
    assert jobs.finish(session, job_id=claimed.id, attempt=claimed.attempts, result=RESULT)
    fresh = jobs.submit(session, actor=BCN, kind="export", parameters={"format": "fhir"})
    assert fresh.id not in (first.id, other_format.id, other_user.id)


def test_claim_takes_the_oldest_queued_job_once(session: Session) -> None:
    a = jobs.submit(session, actor=BCN, kind="outcomes")
    b = jobs.submit(session, actor=LYO, kind="outcomes")
    first, second = _claim(session), _claim(session)
    assert (first.id, second.id) == (a.id, b.id)
    assert (first.status, first.attempts, first.started_at, first.heartbeat_at) == (
        "running",
        1,
        T0,
        T0,
    )
    assert jobs.claim_next(session) is None


def test_progress_finish_and_the_result_download(session: Session) -> None:
    job = jobs.submit(session, actor=BCN, kind="outcomes")
    claimed = _claim(session)
    later = T0 + dt.timedelta(seconds=30)
    assert jobs.progress(
        session, job_id=job.id, attempt=1, fraction=0.2, phase="deriving", now=later
    )
    seen = jobs.get(session, actor=BCN, job_id=job.id)
    assert (seen.progress, seen.phase, seen.heartbeat_at) == (0.2, "deriving", later)
    with pytest.raises(InputError, match="fraction"):
        jobs.progress(session, job_id=job.id, attempt=1, fraction=1.5, phase="x")
    with pytest.raises(NotFoundError, match="no result"):
        jobs.read_result(session, actor=BCN, job_id=job.id)
    assert jobs.finish(session, job_id=job.id, attempt=claimed.attempts, result=RESULT, now=later)
    done = jobs.get(session, actor=BCN, job_id=job.id)
    assert (done.status, done.progress, done.finished_at, done.result_size) == (
        "done",
        1.0,
        later,
        len(RESULT.data),
    )
    assert jobs.read_result(session, actor=BCN, job_id=job.id) == RESULT
    assert (
        jobs.get(session, actor=BCN, job_id=job.id).downloaded_at is None
    )  # a read is no download
    assert jobs.take_result(session, actor=BCN, job_id=job.id, now=later) == RESULT
    jobs.take_result(session, actor=ADMIN, job_id=job.id, now=later + dt.timedelta(hours=1))
    taken = jobs.get(session, actor=BCN, job_id=job.id)
    assert (taken.downloaded_at, taken.downloaded_by) == (later, "dr_bcn")  # the first one


def test_another_users_job_is_not_found_but_network_wide_actors_see_all(session: Session) -> None:
    lyo = jobs.submit(session, actor=LYO, kind="outcomes")
    claimed = _claim(session)
    jobs.finish(session, job_id=lyo.id, attempt=claimed.attempts, result=RESULT)
    for call in (jobs.get, jobs.read_result, jobs.take_result, jobs.cancel):
        with pytest.raises(NotFoundError):
            call(session, actor=BCN, job_id=lyo.id)
    assert [j.id for j in jobs.list_jobs(session, actor=BCN)] == []
    assert [j.id for j in jobs.list_jobs(session, actor=ADMIN)] == [lyo.id]
    assert jobs.read_result(session, actor=ADMIN, job_id=lyo.id) == RESULT
    # A user of the same centre is another user: still not theirs.
    colleague = BCN.__class__("dr_lyo_2", frozenset({"LYO"}))
    with pytest.raises(NotFoundError):
        jobs.get(session, actor=colleague, job_id=lyo.id)


def test_cancel_a_queued_and_a_running_job(session: Session) -> None:
    queued = jobs.submit(session, actor=BCN, kind="outcomes")
    assert jobs.cancel(session, actor=BCN, job_id=queued.id).status == "cancelled"
    assert jobs.claim_next(session) is None
    running = jobs.submit(session, actor=BCN, kind="outcomes")
    claimed = _claim(session)
    jobs.cancel(session, actor=BCN, job_id=running.id)
    # The worker learns it at its next report, and can no longer finish it.
    assert not jobs.progress(session, job_id=running.id, attempt=1, fraction=0.5, phase="x")
    assert not jobs.finish(session, job_id=running.id, attempt=claimed.attempts, result=RESULT)
    assert jobs.get(session, actor=BCN, job_id=running.id).status == "cancelled"
    with pytest.raises(InputError, match="already finished"):
        jobs.cancel(session, actor=BCN, job_id=running.id)


def test_stale_running_job_is_requeued_then_failed_after_the_attempt_limit(
    session: Session,
) -> None:
    job = jobs.submit(session, actor=BCN, kind="outcomes")
    limit = dt.timedelta(seconds=60)
    for attempt in (1, 2):
        claimed = _claim(session, T0)
        assert claimed.attempts == attempt
        # Exactly at the limit the heartbeat is not yet stale; one second later it is.
        assert jobs.requeue_stale(session, stale_after=limit, max_attempts=2, now=T0 + limit) == []
        stale = T0 + limit + dt.timedelta(seconds=1)
        assert jobs.requeue_stale(session, stale_after=limit, max_attempts=2, now=stale) == [job.id]
        if attempt == 1:
            back = jobs.get(session, actor=BCN, job_id=job.id)
            assert (back.status, back.attempts, back.heartbeat_at) == ("queued", 1, None)
            assert "previous one stopped" in back.phase
            # The dead worker, waking up, can no longer touch its successor's job.
            assert not jobs.beat(session, job_id=job.id, attempt=1)
    failed = jobs.get(session, actor=BCN, job_id=job.id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert "2 attempts" in failed.error
    # A failed job no longer blocks an identical submission.
    assert jobs.submit(session, actor=BCN, kind="outcomes").id != job.id


def test_release_requeues_without_counting_the_attempt(session: Session) -> None:
    job = jobs.submit(session, actor=BCN, kind="outcomes")
    claimed = _claim(session)
    assert jobs.release(session, job_id=job.id, attempt=claimed.attempts)
    back = jobs.get(session, actor=BCN, job_id=job.id)
    assert (back.status, back.attempts) == ("queued", 0)


def test_purge_removes_results_downloaded_before_the_retention_period(session: Session) -> None:
    kept, old, never = (
        jobs.submit(session, actor=BCN, kind="export", parameters={"format": f}).id
        for f in ("csv", "fhir", "sdtm")
    )
    for _ in range(3):
        claimed = _claim(session)
        jobs.finish(session, job_id=claimed.id, attempt=claimed.attempts, result=RESULT)
    day = dt.timedelta(days=1)
    jobs.take_result(session, actor=BCN, job_id=old, now=T0)
    jobs.take_result(session, actor=BCN, job_id=kept, now=T0 + day)
    assert jobs.purge(session, retention=day, now=T0 + day) == 0  # exactly a day: kept
    assert jobs.purge(session, retention=day, now=T0 + day + dt.timedelta(seconds=1)) == 1
    with pytest.raises(NotFoundError, match="retention"):
        jobs.read_result(session, actor=BCN, job_id=old)
    assert jobs.get(session, actor=BCN, job_id=old).has_result is False
    assert jobs.read_result(session, actor=BCN, job_id=kept) == RESULT
    assert jobs.read_result(session, actor=BCN, job_id=never) == RESULT  # never downloaded


def test_jobs_are_not_written_to_the_audit_chain(session: Session) -> None:
    before = session.execute(sa.text("SELECT count(*) FROM audit_log")).scalar()
    job = jobs.submit(session, actor=BCN, kind="outcomes")
    claimed = _claim(session)
    jobs.finish(session, job_id=job.id, attempt=claimed.attempts, result=RESULT)
    jobs.take_result(session, actor=BCN, job_id=job.id)
    assert session.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == before


def test_to_dict_is_json_ready(session: Session) -> None:
    import json

    job = jobs.submit(session, actor=ADMIN, kind="outcomes", now=T0)
    shown = job.to_dict()
    assert json.loads(json.dumps(shown)) == shown
    assert (shown["centres"], shown["created_at"], shown["result"]) == (
        ["*"],
        "2026-12-02T09:00:00+00:00",
        None,
    )
