"""Cohort pages: outcomes under any criteria preset, and exports (every ``clears export``
format, optionally de-identified) for users allowed to export."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clears.outcomes import derive
from clears.registry import centre_codes
from clears.web._cohort import cohort_for, relabel
from clears.web._exports import ExportFormat, export_filename, export_zip
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CurrentUser, ExporterUser, Registry, RegistryDep, StateDep
from clears.web.routes.pages import PRESETS
from clears.web.users import User

__all__ = ["EXPORT_LABELS", "export_response", "router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

#: The export formats offered on the cohort page, with their labels.
EXPORT_LABELS: Final = (
    ("csv", "Cohort tables, CSV"),
    ("parquet", "Cohort tables, Parquet"),
    ("redcap", "REDCap flat records"),
    ("fhir", "FHIR R4B bundle"),
    ("sdtm", "SDTM-shaped DM/EX/LB/AE"),
)

_SHOWN = (
    "patient_id",
    "baseline_clasi_a",
    "baseline_severity",
    "best_response",
    "response_at_assessment",
    "relapse",
    "exposure_patient_years",
    "discontinuation_reason",
)


@router.get("/cohort")
def cohort_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    criteria: str = "aitmehdi2021",
) -> Response:
    """Per-patient outcomes of the user's cohort under one preset."""
    preset = criteria if criteria in PRESETS else PRESETS[0]
    with registry.session() as session:
        cohort = cohort_for(session, actor=user.actor())
    frame = derive(cohort, criteria=[preset]) if len(cohort.treatments) else None
    rows = (
        []
        if frame is None
        else [
            {name: ("" if _missing(row[name]) else row[name]) for name in _SHOWN}
            for _, row in frame.iterrows()
        ]
    )
    version = "" if frame is None or frame.empty else str(frame["criteria_version"].iloc[0])
    return render(
        request,
        state,
        user,
        "cohort.html",
        rows=rows,
        columns=_SHOWN,
        presets=PRESETS,
        preset=preset,
        version=version,
        n_patients=cohort.n_patients,
        export_formats=EXPORT_LABELS,
    )


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


@router.get("/cohort/export")
def export(
    registry: RegistryDep,
    user: ExporterUser,
    format: ExportFormat = "csv",
    deidentified: bool = False,
) -> Response:
    """The data of the user's centres in one ``clears export`` format, as a zip download."""
    return export_response(registry, user, format=format, deidentified=deidentified)


def export_response(
    registry: Registry, user: User, *, format: ExportFormat, deidentified: bool
) -> Response:
    """The zip download of the user's centres in ``format`` (page and API share it)."""
    actor = user.actor()
    with registry.session() as session:
        cohort = relabel(cohort_for(session, actor=actor), centre_codes(session, actor=actor))
    data = export_zip(cohort, format=format, deidentified=deidentified)
    name = export_filename(format, deidentified=deidentified)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
