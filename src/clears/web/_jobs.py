"""Submitting a background job for a web user, and the path of a job's page.

Shared by the job, cohort and report routes (route modules do not import each other).
"""

from __future__ import annotations

from clears.registry import jobs
from clears.web._urls import segment
from clears.web.deps import Forbidden, Registry
from clears.web.users import User

__all__ = ["job_path", "submit_for"]


def job_path(job_id: int) -> str:
    """The page of a job.

    Examples
    --------
    >>> job_path(12)
    '/jobs/12'
    """
    return f"/jobs/{segment(str(job_id))}"


def submit_for(
    registry: Registry, user: User, kind: str, parameters: dict[str, object]
) -> jobs.Job:
    """Queue a job for ``user`` (exports only for users allowed to export); an identical
    job still queued or running is returned instead."""
    if kind == "export" and not user.can_export:
        raise Forbidden(f"the {user.role} role may not export data")
    with registry.session() as session:
        return jobs.submit(session, actor=user.actor(), kind=kind, parameters=parameters)
