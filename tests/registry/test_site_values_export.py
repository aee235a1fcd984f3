"""Site values in the cohort export (full and patient-scoped) and the de-identified one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, LYO, TODAY, two_centres
from typer.testing import CliRunner

from clears.cli.main import app
from clears.cohort import parse_site_fields
from clears.registry._engine import make_engine, transaction
from clears.registry.exporter import export_cohort
from clears.registry.exports.deidentify import deidentify
from clears.registry.records import add_record

DECLARED = parse_site_fields(
    {
        "visits": [
            {"name": "ifn_score", "label": "IFN score", "type": "number"},
            {"name": "biopsy_date", "label": "Biopsy date", "type": "date"},
            {"name": "visit_note", "label": "Note", "type": "text"},
        ]
    },
    file="site.toml",
)


def _visits(session: Session) -> None:
    two_centres(session)
    for actor, patient, site in (
        (BCN, "P1", {"ifn_score": "12.5", "biopsy_date": "2024-04-01", "visit_note": "seen"}),
        (BCN, "P1", {}),
        (LYO, "P2", {"ifn_score": "3"}),
    ):
        add_record(
            session,
            actor=actor,
            table="visits",
            patient_id=patient,
            values={"visit_date": "2024-05-01" if site else "2024-05-20"},
            today=TODAY,
            site_fields=DECLARED,
            site_values=site,
        )


def test_the_export_carries_site_values_as_columns_of_their_rows(session: Session) -> None:
    _visits(session)
    visits = export_cohort(actor=BCN, session=session).visits
    assert list(visits["patient_id"]) == ["P1", "P1"]
    assert visits["ifn_score"].tolist() == ["12.5", pd.NA]
    assert visits["visit_note"].tolist() == ["seen", pd.NA]
    scoped = export_cohort(actor=BCN, session=session, patient_ids=["P1"]).visits
    assert scoped["biopsy_date"].tolist() == ["2024-04-01", pd.NA]
    # LYO's value is not in BCN's export, and BCN's not in LYO's.
    lyo = export_cohort(actor=LYO, session=session).visits
    assert lyo["ifn_score"].tolist() == ["3"]
    assert "visit_note" not in lyo.columns
    validated = export_cohort(actor=BCN, session=session, validate=True).visits
    assert validated["ifn_score"].tolist()[0] == "12.5"


def test_deidentified_export_keeps_coded_values_shifts_dates_and_drops_free_text(
    session: Session,
) -> None:
    _visits(session)
    cohort = export_cohort(actor=BCN, session=session)
    out = deidentify(cohort, rng=np.random.default_rng(3), salt="s", site_fields=DECLARED)
    visits = out.cohort.visits
    assert "visit_note" in out.dropped["visits"]
    assert "visit_note" not in visits.columns
    assert visits["ifn_score"].tolist()[0] == "12.5"
    # The biopsy date moves with the visit date: the interval within the patient is kept.
    gap = visits["visit_date"].iloc[0] - pd.Timestamp(visits["biopsy_date"].iloc[0])
    assert gap == pd.Timestamp("2024-05-01") - pd.Timestamp("2024-04-01")
    assert visits["visit_date"].iloc[0] != pd.Timestamp("2024-05-01")
    # Without the declaration every site column is dropped.
    bare = deidentify(cohort, rng=np.random.default_rng(3), salt="s")
    assert {"ifn_score", "biopsy_date", "visit_note"} <= set(bare.dropped["visits"])


def test_clears_export_deidentified_keeps_the_declared_fields_of_the_file(
    fresh_sqlite: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        _visits(session)
    engine.dispose()
    site = tmp_path / "site.toml"
    site.write_text(
        '[[visits]]\nname = "ifn_score"\nlabel = "IFN"\ntype = "number"\n'
        '[[visits]]\nname = "visit_note"\nlabel = "Note"\ntype = "text"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["export", "--db", fresh_sqlite, "--out", str(out), "--deidentify", "--seed", "1"]
    done = CliRunner().invoke(app, [*args, "--site-fields", str(site)])
    assert done.exit_code == 0, done.output
    visits = pd.read_csv(out / "visits.csv")
    assert "ifn_score" in visits.columns
    assert "visit_note" not in visits.columns
    assert "biopsy_date" not in visits.columns  # not declared in this file: dropped
    identified = tmp_path / "identified"
    done = CliRunner().invoke(app, ["export", "--db", fresh_sqlite, "--out", str(identified)])
    assert done.exit_code == 0, done.output
    assert {"ifn_score", "biopsy_date", "visit_note"} <= set(
        pd.read_csv(identified / "visits.csv").columns
    )


def test_clears_audit_verify_accepts_a_registry_with_site_values(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        _visits(session)
    engine.dispose()
    done = CliRunner().invoke(app, ["audit", "verify", "--db", fresh_sqlite])
    assert done.exit_code == 0, done.output
