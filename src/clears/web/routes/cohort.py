"""Cohort pages: outcomes under any criteria preset, and exports for users allowed to export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clears.outcomes import derive
from clears.registry.exporter import write_cohort
from clears.web._cohort import cohort_for
from clears.web._render import render
from clears.web.deps import CurrentUser, ExporterUser, RegistryDep, StateDep
from clears.web.routes.pages import PRESETS

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

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
    )


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


@router.get("/cohort/export")
def export(
    registry: RegistryDep, user: ExporterUser, format: Literal["csv", "parquet"] = "csv"
) -> Response:
    """The cohort tables of the user's centres as a zip of CSV or Parquet files."""
    with registry.session() as session:
        cohort = cohort_for(session, actor=user.actor())
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        out = write_cohort(cohort, Path(folder) / "cohort", format=format)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.iterdir()):
                archive.write(path, arcname=f"cohort/{path.name}")
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="clears-cohort-{format}.zip"'},
    )
