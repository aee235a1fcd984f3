"""Assemble a :class:`~clears.report.Report` from a cohort: outcomes, analyses, figures.

The methods text is generated: every paragraph is the ``method`` of a result the report
used (CI methods, tests, Kaplan–Meier estimator, rounding rule), the citation of every
criteria preset, and the CTCAE version, so it always says what this run did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from clears.cohort import Cohort
from clears.criteria import Preset
from clears.report import _sections as sec
from clears.report._baseline import cohort_section
from clears.report._change_sections import score_change_section
from clears.report._model import Report, Section
from clears.report._per_patient import per_patient_section
from clears.report._plan_sections import (
    complete_response_by_section,
    response_by_severity_section,
    sledai_by_flare_section,
)
from clears.report._safety import safety_section
from clears.report.plans import KINDS, Plan, PlanSection, resolve_plan

__all__ = ["STEPS", "build_report"]

#: The steps reported to the ``progress`` callback, in order, for the default plan (a plan's
#: own are :meth:`clears.report.plans.Plan.steps`).
STEPS: Final = (
    "outcomes",
    "patients",
    "response",
    "CLASI over time",
    "time to event",
    "treatment courses",
    "safety",
)

#: What builds each section kind of :data:`clears.report.plans.KINDS`: cohort, outcomes (of
#: the section's presets and population), log and the section's options -> the section.
_Make = Callable[[Cohort, pd.DataFrame, sec.Log, Mapping[str, Any]], Section]
_MAKERS: Final[Mapping[str, _Make]] = {
    "cohort": lambda c, o, log, _opt: cohort_section(c, o, log),
    "response": lambda c, o, log, _opt: sec.response_section(c, o, log),
    "timecourse": lambda c, o, log, opt: sec.timecourse_section(c, o, log, opt),
    "time_to_event": lambda c, o, log, _opt: sec.time_to_event_section(c, o, log),
    "swimmer": lambda c, o, log, opt: sec.swimmer_section(
        c, o, log, max_patients=int(opt.get("max_patients", 60))
    ),
    "safety": lambda c, o, log, _opt: safety_section(c, o, log),
    "response_by_severity": lambda c, o, log, opt: response_by_severity_section(c, o, log, opt),
    "complete_response_by": lambda c, o, log, opt: complete_response_by_section(c, o, log, opt),
    "sledai_by_flare": lambda c, o, log, opt: sledai_by_flare_section(c, o, log, opt),
    "score_change": score_change_section,
    "per_patient": per_patient_section,
}


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


def _population(cohort: Cohort, outcomes: pd.DataFrame, base: str) -> pd.DataFrame:
    """The outcome rows of the patients of population ``base`` (:data:`plans.POPULATIONS`)."""
    if base == "evaluable":
        kept: pd.DataFrame = outcomes[outcomes["evaluable"].fillna(False).astype(bool)]
        return kept
    if base in ("sle", "isolated_cle"):
        sle = outcomes["sle_at_index"].astype("boolean")
        mask = sle if base == "sle" else ~sle
        return outcomes[mask.fillna(False).astype(bool)]
    return outcomes


def _subset(cohort: Cohort, outcomes: pd.DataFrame) -> Cohort:
    """The cohort's tables restricted to the patients of ``outcomes``."""
    ids = set(outcomes["patient_id"])
    tables = {
        name: getattr(cohort, name)[getattr(cohort, name)["patient_id"].isin(ids)]
        for name in ("patients", "treatments", "visits", "adverse_events", "flares",
                     "concomitant_medications")
    }  # fmt: skip
    return dataclasses.replace(cohort, **tables)


def _section(
    cohort: Cohort, outcomes: pd.DataFrame, log: sec.Log, plan: Plan, item: PlanSection
) -> Section:
    """Build one section of ``plan``: its presets and population, its options, its caption."""
    if "criteria" in item.options:
        outcomes = outcomes[outcomes["criteria"] == item.options["criteria"]]
    base = plan.populations.get(item.population, "all")
    if base != "all":
        outcomes = _population(cohort, outcomes, base)
        cohort = _subset(cohort, outcomes)
    if outcomes.empty:
        spec = KINDS[item.kind]
        made = Section(item.kind, spec.title, (f"No patient of population {item.population}.",))
    else:
        made = _MAKERS[item.kind](cohort, outcomes, log, item.options)
    if item.caption:
        made = dataclasses.replace(made, caption=item.caption)
    return made


def _unique_keys(sections: Sequence[Section]) -> list[Section]:
    """The sections with a repeated kind's key numbered (``score_change_2``...), so every
    section has its own anchor."""
    seen: dict[str, int] = {}
    unique = []
    for made in sections:
        seen[made.key] = seen.get(made.key, 0) + 1
        n = seen[made.key]
        unique.append(made if n == 1 else dataclasses.replace(made, key=f"{made.key}_{n}"))
    return unique


def build_report(
    cohort: Cohort,
    *,
    criteria: Sequence[str | Preset] | None = None,
    plan: str | Path | Plan = "default",
    drug: str = "lenalidomide",
    title: str | None = None,
    swimmer_max: int | None = None,
    progress: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> Report:
    """Derive outcomes under ``criteria`` and build the sections of ``plan``, in its order.

    Parameters
    ----------
    cohort
        The cohort tables (:func:`clears.cohort.read`).
    criteria
        Preset names, ``.toml`` preset files or :class:`~clears.criteria.Preset` objects;
        default: the plan's (``aitmehdi2021`` and ``cortes2012`` for the default plan).
    plan
        An analysis plan: a bundled name (:data:`clears.report.plans.BUNDLED_PLANS`), a
        ``.toml`` plan file or a :class:`~clears.report.plans.Plan`. The default plan is
        every section of the report under two presets.
    drug
        The studied drug.
    title
        Document title; default: the plan's, else one naming the drug.
    swimmer_max
        At most this many lanes in the swimmer plot (longest follow-up first); default:
        the plan's ``max_patients``, else 60.
    progress
        Called with each step of the plan (:meth:`~clears.report.plans.Plan.steps`;
        :data:`STEPS` for the default plan) as the step starts.
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

    chosen = resolve_plan(plan)
    tick = progress or (lambda _step: None)
    presets = _resolve(chosen.criteria if criteria is None else criteria)
    names = {p.name for p in presets}
    for i, item in enumerate(chosen.sections):
        wanted = item.options.get("criteria")
        if wanted is not None and wanted not in names:
            from clears._exceptions import InputError, Problem

            raise InputError(
                Problem(
                    f"sections[{i}].criteria",
                    wanted,
                    "names a preset the report is not run under (--criteria replaces the "
                    "plan's presets)",
                    ", ".join(sorted(names)),
                    file=chosen.name,
                )
            )
    log = sec.Log(presets)
    tick("outcomes")
    outcomes: pd.DataFrame = log.run("outcomes", lambda: derive(cohort, presets, drug=drug))
    sections: list[Section] = []
    empty = no_outcomes_reason(cohort, drug) if outcomes.empty else None
    for item in chosen.sections:
        tick(item.step)
        if swimmer_max is not None and item.kind == "swimmer":
            item = PlanSection(item.kind, item.caption, item.population,
                               {**item.options, "max_patients": swimmer_max})  # fmt: skip
        if empty is not None:
            spec = KINDS[item.kind]
            sections.append(Section(item.kind, spec.title, (empty,), caption=item.caption))
        else:
            sections.append(_section(cohort, outcomes, log, chosen, item))
    sections = _unique_keys(sections)
    facts = [
        ("Cohort", _source(cohort.source)),
        ("Patients treated", str(outcomes["patient_id"].nunique())),
        ("Drug", drug),
        ("Response criteria", "; ".join(log.preset(p.label) for p in presets)),
        ("Adverse event grading", VERSION),
        ("Software", f"clears {__version__}"),
        ("Date", (today or dt.date.today()).isoformat()),
    ]
    if chosen.reference:
        facts.insert(4, ("Analysis plan", f"{chosen.name}: {chosen.reference}"))
    default_title = f"{drug.capitalize()} in cutaneous lupus erythematosus: study report"
    return Report(
        title=title or chosen.title or default_title,
        facts=tuple(facts),
        sections=tuple(sections),
        methods=_methods(log, presets),
        warnings=tuple(dict.fromkeys(log.warnings)),
    )
