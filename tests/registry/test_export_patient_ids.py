"""export_cohort(patient_ids=...): the same rows as the whole export, for those patients only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.web._setup import make_database

from clears.cohort import TABLES
from clears.registry._actor import Actor
from clears.registry.exporter import export_cohort


@pytest.mark.slow
def test_patient_ids_keep_exactly_those_patients(tmp_path: Path) -> None:
    url = make_database(tmp_path / "r.db")  # P1 at BCN, P2 at LYO, a row in every table
    everyone = Actor.everywhere("t")
    whole = export_cohort(actor=everyone, url=url)
    only = export_cohort(actor=everyone, url=url, patient_ids=["P2"])
    for table in TABLES:
        expected = whole.table(table)
        expected = expected[expected["patient_id"] == "P2"].reset_index(drop=True)
        got = only.table(table)
        pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)
    # an id outside the actor's centres is left out, as the centre scope says
    bcn = export_cohort(actor=Actor("t", frozenset({"BCN"})), url=url, patient_ids=["P2"])
    assert bcn.n_patients == 0
    assert len(bcn.visits) == 0
