"""Shared builders for the cohort tests: a small valid cohort, as text, in memory or on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from clears.cohort import Cohort

#: A small valid cohort as CSV text (synthetic).
CSV: dict[str, str] = {
    "patients": "patient_id,centre,sex,sle\nP1,BCN,female,yes\nP2,LYO,male,no\n",
    "treatments": (
        "patient_id,drug,start_date,dose_mg_per_day,end_date\n"
        "P1,lenalidomide,2020-01-06,5,2020-03-02\n"
        "P1,lenalidomide,2020-03-02,10,\n"
        "P2,thalidomide,2021-05-03,100,2021-09-01\n"
    ),
    "visits": (
        "patient_id,visit_date,clasi_a,hb\n"
        "P1,2020-01-06,12,13.1\n"
        "P1,2020-03-02,6,12.8\n"
        "P2,2021-05-03,20,\n"
    ),
    "adverse_events": (
        "patient_id,onset_date,term,grade,end_date\nP1,2020-02-10,Fatigue,1,2020-02-20\n"
    ),
    "flares": "patient_id,flare_date,severity\nP2,2021-08-02,mild\n",
    "concomitant_medications": (
        "patient_id,drug,start_date,end_date,dose,dose_unit,indication\n"
        "P1,aspirin,2020-01-06,,100,mg/day,thromboprophylaxis\n"
        "P2,prednisone,2021-01-04,2021-06-30,7.5,mg/day,sle\n"
    ),
}


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    """The valid cohort as raw text frames (what read_csv gives with dtype=str)."""
    from io import StringIO

    return {
        name: pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
        for name, text in CSV.items()
    }


@pytest.fixture
def cohort_of() -> Callable[..., Cohort]:
    """Build a Cohort from frames, with any table replaced."""

    def build(base: dict[str, pd.DataFrame], **tables: pd.DataFrame) -> Cohort:
        return Cohort(**(base | tables))

    return build


@pytest.fixture
def folder_of(tmp_path: Path) -> Callable[..., Path]:
    """Write CSV text files into a fresh folder; a table given as None is left out."""

    def build(**texts: str | None) -> Path:
        folder = tmp_path / "cohort"
        folder.mkdir(exist_ok=True)
        for name, text in (CSV | texts).items():
            if text is not None:
                (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        return folder

    return build
