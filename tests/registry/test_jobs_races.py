"""Jobs under concurrency, on SQLite and PostgreSQL: workers racing for the queue never get
the same job, and identical submissions racing each other queue one job."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, race

from clears.registry import jobs, transaction
from clears.registry._models import jobs_table


@pytest.fixture
def clean(engine: sa.Engine) -> Iterator[sa.Engine]:
    """The backend's engine, its jobs table emptied after the test (these tests commit)."""
    yield engine
    with engine.begin() as connection:
        connection.execute(sa.delete(jobs_table))


def test_racing_workers_claim_distinct_jobs(clean: sa.Engine) -> None:
    with transaction(clean) as session:
        queued = {
            jobs.submit(session, actor=BCN, kind="export", parameters={"format": f}).id
            for f in ("csv", "parquet", "redcap", "fhir", "sdtm")
        }

    def claim(session: Session, _n: int) -> int | None:
        job = jobs.claim_next(session)
        return None if job is None else job.id

    outcomes = race(clean, claim, threads=7)
    claimed = [o for o in outcomes if isinstance(o, int)]
    assert sorted(claimed) == sorted(queued)  # each once; the two extra workers got none
    assert [o for o in outcomes if not isinstance(o, int)] == [None, None]


def test_racing_identical_submissions_queue_one_job(clean: sa.Engine) -> None:
    def submit(session: Session, _n: int) -> int:
        return jobs.submit(session, actor=BCN, kind="outcomes").id

    outcomes = race(clean, submit, threads=4)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1
