"""Assemble a :class:`~clears.report.Report` from a cohort: outcomes, analyses, figures.

The methods text is generated: every paragraph is the ``method`` of a result the report
used (CI methods, tests, Kaplan–Meier estimator, rounding rule), the citation of every
criteria preset, and the CTCAE version, so it always says what this run did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Final

import pandas as pd

from clears.cohort import Cohort
from clears.criteria import Preset
from clears.report import _sections as sec
from clears.report._baseline import cohort_section
from clears.report._model import Report, Section
from clears.report._safety import safety_section

__all__ = ["STEPS", "build_report"]

#: The steps reported to the ``progress`` callback, in order.
STEPS: Final = (
    "outcomes",
    "patients",
    "response",
    "CLASI over time",
    "time to event",
    "treatment courses",
    "safety",
)

_SECTIONS: Final = (
    cohort_section,
    sec.response_section,
    sec.timecourse_section,
    sec.time_to_event_section,
    sec.swimmer_section,
    safety_section,
)


#: Key and title of each section (in :data:`_SECTIONS` order), for a cohort with no treated
#: patient, where every section is empty and says why.
_TITLES: Final = (
    ("cohort", "Patients"),
    ("response", "Response"),
    ("timecourse", "CLASI over time"),
    ("time_to_event", "Time to response and relapse"),
    ("swimmer", "Treatment courses"),
    ("safety", "Safety"),
)


def _resolve(criteria: Sequence[str | Preset]) -> list[Preset]:
    from clears.criteria import resolve

    return [resolve(item) for item in criteria]


def _source(source: str | None) -> str:
    """Where the cohort came from, as a reader says it (a folder, a database, a simulation)."""
    if not source:
        return "(in memory)"
    kind, sep, preset = source.partition(":")
    if sep and kind == "simulated":
        return f"Simulated cohort (clears simulation preset {preset})"
    return source


def _methods(log: sec.Log, presets: Sequence[Preset]) -> tuple[str, ...]:
    from clears.instruments.ctcae import VERSION

    paragraphs = [
        f"{log.preset(p.label)} (clears criteria preset {p.name}, version {p.version}; "
        f"{p.title}): {str(p.reference).rstrip('.')}."
        for p in presets
    ]
    for topic, texts in log.methods.items():
        paragraphs.append(f"{topic}: " + " ".join(t.rstrip(".") + "." for t in texts))
    paragraphs.append(f"Adverse events are graded with {VERSION}.")
    return tuple(paragraphs)


def build_report(
    cohort: Cohort,
    *,
    criteria: Sequence[str | Preset] = ("aitmehdi2021", "cortes2012"),
    drug: str = "lenalidomide",
    title: str | None = None,
    swimmer_max: int = 60,
    progress: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> Report:
    """Derive outcomes under ``criteria`` and build every section of the report.

    Parameters
    ----------
    cohort
        The cohort tables (:func:`clears.cohort.read`).
    criteria
        Preset names, ``.toml`` preset files or :class:`~clears.criteria.Preset` objects.
    drug
        The studied drug.
    title
        Document title; default names the drug and the cohort source.
    swimmer_max
        At most this many lanes in the swimmer plot (longest follow-up first).
    progress
        Called with each name of :data:`STEPS` as the step starts.
    today
        Date printed on the report (default: today).

    Returns
    -------
    Report
        Sections, methods text and the statistical warnings collected on the way.
    """
    from clears._version import __version__
    from clears.instruments.ctcae import VERSION
    from clears.outcomes import derive
    from clears.outcomes._empty import no_outcomes_reason

    tick = progress or (lambda _step: None)
    presets = _resolve(criteria)
    log = sec.Log(presets)
    tick(STEPS[0])
    outcomes: pd.DataFrame = log.run("outcomes", lambda: derive(cohort, presets, drug=drug))
    sections: list[Section] = []
    empty = no_outcomes_reason(cohort, drug) if outcomes.empty else None
    for step, make, (key, heading) in zip(STEPS[1:], _SECTIONS, _TITLES, strict=True):
        tick(step)
        if empty is not None:
            sections.append(Section(key, heading, (empty,)))
        elif make is sec.swimmer_section:
            sections.append(sec.swimmer_section(cohort, outcomes, log, max_patients=swimmer_max))
        else:
            sections.append(make(cohort, outcomes, log))
    facts = (
        ("Cohort", _source(cohort.source)),
        ("Patients treated", str(outcomes["patient_id"].nunique())),
        ("Drug", drug),
        ("Response criteria", "; ".join(log.preset(p.label) for p in presets)),
        ("Adverse event grading", VERSION),
        ("Software", f"clears {__version__}"),
        ("Date", (today or dt.date.today()).isoformat()),
    )
    return Report(
        title=title or f"{drug.capitalize()} in cutaneous lupus erythematosus: study report",
        facts=facts,
        sections=tuple(sections),
        methods=_methods(log, presets),
        warnings=tuple(dict.fromkeys(log.warnings)),
    )
