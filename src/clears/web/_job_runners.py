"""What each kind of background job does, run by the worker process (``clears jobs work``).

Each runner reads the cohort of the job's scope (its submitter's centres, never more) through
:func:`clears.web._cohort.cohort_for`, then reuses what the pages did inside the request:
:func:`clears.outcomes.derive` for the outcome table (stored as CSV), the study report of
:mod:`clears.web._report` (``clears report``'s builder) and :func:`clears.web._exports.export_zip`.
Progress is reported in phases: reading the registry, deriving (the report's steps), writing.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Final

import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.cohort import Cohort, SiteFields, load_site_fields
from clears.registry import JobProgress, JobRunner, centre_codes, jobs, transaction
from clears.registry.signatures import export_signatures
from clears.web import _report
from clears.web._cohort import cohort_for, relabel
from clears.web._exports import export_filename, export_zip

__all__ = [
    "RUNNERS",
    "outcomes_filename",
    "run_export",
    "run_outcomes",
    "run_report",
    "warm_up",
]

#: Fractions done when each phase starts.
_READ, _DERIVE, _WRITE = 0.0, 0.2, 0.9


def _read(
    engine: sa.Engine,
    job: jobs.Job,
    progress: JobProgress,
    columns: Mapping[str, Collection[str]] | None = None,
) -> Cohort:
    progress(_READ, "reading the registry")
    actor = job.actor()
    # A read-only transaction: no write lock is held while the whole cohort is read.
    with transaction(engine, write=False) as session:
        cohort = cohort_for(session, actor=actor, columns=columns)
        centres = centre_codes(session, actor=actor)
    return relabel(cohort, centres)


def outcomes_filename(criteria: str) -> str:
    """The download name of an outcome table.

    Examples
    --------
    >>> outcomes_filename("cortes2012")
    'clears-outcomes-cortes2012.csv'
    """
    return f"clears-outcomes-{criteria}.csv"


def run_outcomes(engine: sa.Engine, job: jobs.Job, progress: JobProgress) -> jobs.JobResult:
    """The per-patient outcome table (``clears outcomes`` columns) as CSV."""
    from clears.outcomes import derive

    preset = str(job.parameters["criteria"])
    cohort = _read(engine, job, progress)
    progress(_DERIVE, f"deriving outcomes under {preset}")
    if cohort.treatments.empty:
        raise ClearsError("no treatment period is recorded in these centres yet")
    frame = derive(cohort, criteria=[preset])
    progress(_WRITE, "writing the table")
    data = frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")
    return jobs.JobResult(data, "text/csv; charset=utf-8", outcomes_filename(preset))


def run_report(engine: sa.Engine, job: jobs.Job, progress: JobProgress) -> jobs.JobResult:
    """The study report of ``clears report``: standalone HTML, or its tables as DOCX/XLSX."""
    from clears.report import REPORT_COLUMNS, STEPS

    fmt = str(job.parameters["format"])
    criteria = [str(c) for c in job.parameters["criteria"]]
    cohort = _read(engine, job, progress, REPORT_COLUMNS)  # only the columns it reads
    span = (_WRITE - _DERIVE) / len(STEPS)

    def step(name: str) -> None:
        progress(_DERIVE + span * STEPS.index(name), f"report: {name}")

    built = _report.build(cohort, criteria=criteria, progress=step)
    if built.report is None:
        raise ClearsError(f"no report: {built.error}")
    progress(_WRITE, f"writing the {fmt.upper()} file")
    data, media = _report.rendered(built.report, fmt)  # type: ignore[arg-type]
    return jobs.JobResult(data, media, f"clears-report.{fmt}")


def run_export(engine: sa.Engine, job: jobs.Job, progress: JobProgress) -> jobs.JobResult:
    """An export of ``clears export`` (identified or de-identified), zipped."""
    fmt = str(job.parameters["format"])
    deidentified = bool(job.parameters["deidentified"])
    cohort = _read(engine, job, progress)
    signatures = None
    if not deidentified:  # the signed records' manifestations go with them (§11.50(b))
        with transaction(engine, write=False) as session:
            signatures = export_signatures(session, actor=job.actor())
    progress(_DERIVE, f"writing the {fmt} export")
    data = export_zip(
        cohort,
        format=fmt,
        deidentified=deidentified,
        signatures=signatures,
        site_fields=declared_site_fields(),
    )
    return jobs.JobResult(data, "application/zip", export_filename(fmt, deidentified=deidentified))


def declared_site_fields() -> SiteFields:
    """The site-defined fields of the worker's ``CLEARS_SITE_FIELDS`` file (none when unset),
    whose coded, numeric and date values a de-identified export keeps; the worker runs
    with the web app's settings (docs/deploy.md)."""
    path = os.environ.get("CLEARS_SITE_FIELDS", "").strip()
    return load_site_fields(path) if path else SiteFields()


def warm_up() -> None:
    """Build the report of a small simulated cohort once and throw it away.

    The report's libraries are imported lazily and its first build fills caches (fonts,
    compiled expressions); done when a worker starts, that cost is not added to the first
    user's job (benchmarks/bench_jobs.py).
    """
    import numpy as np

    from clears.simulate import simulate

    cohort = simulate("aitmehdi2021", 40, np.random.default_rng(0))
    built = _report.build(cohort)
    if built.report is not None:
        _report.rendered(built.report, "html")


#: Job kind -> runner, as :class:`clears.registry.JobWorker` takes them.
RUNNERS: Final[Mapping[str, JobRunner]] = MappingProxyType(
    {"outcomes": run_outcomes, "report": run_report, "export": run_export}
)
