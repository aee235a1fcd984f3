"""One validation path: the web form, the JSON API, importing a cohort folder and
``clears cohort validate`` refuse the same rows with the same words.

Each case is a row that the definitions make invalid (CTCAE v5.0: fatigue has grades 1 to
3; an adverse event cannot end before its onset; the lenalidomide ceiling of the schema,
25 mg/day; one dose period per drug at a time, docs/cohort-tables.md; the CLASI
erythema levels 0-3, Albrecht 2005; the flare severities of the schema; no future dates),
added to the seed patient P1 (``tests/web/_setup.py``): as a new record through the web and
the API, and as the last row of its table in a folder holding P1's seed rows for the import
and the validator. The messages are compared with each other, not with a copy of them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web._setup import ADMIN, sign_in
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app
from clears.registry import migrate
from clears.registry.importer import import_cohort

Client = Callable[[], TestClient]

#: P1's seed rows (tests/web/_setup.make_database), as cohort rows.
SEED: dict[str, list[dict[str, Any]]] = {
    "patients": [{"patient_id": "P1", "centre": "BCN", "sex": "female", "birth_year": 1975}],
    "treatments": [
        {"drug": "lenalidomide", "start_date": "2024-01-01", "dose_mg_per_day": 10},
    ],
    "visits": [{"visit_date": "2024-01-01", "clasi_a": 12, "clasi_d": 3, "anc": 1.8}],
    "adverse_events": [{"onset_date": "2024-01-10", "term": "headache", "grade": 1}],
    "flares": [{"flare_date": "2024-01-20", "severity": "mild"}],
}

CASES: dict[str, tuple[str, str, dict[str, str]]] = {
    "grade per CTCAE term": (
        "adverse_events",
        "grade",
        {"onset_date": "2024-02-01", "term": "Fatigue", "grade": "4"},
    ),
    "end before onset": (
        "adverse_events",
        "end_date",
        {"onset_date": "2024-02-01", "term": "nausea", "grade": "1", "end_date": "2024-01-20"},
    ),
    "dose above the ceiling": (
        "treatments",
        "dose_mg_per_day",
        {
            "drug": "lenalidomide",
            "start_date": "2023-01-01",
            "end_date": "2023-06-01",
            "dose_mg_per_day": "30",
        },
    ),
    "overlapping period": (
        "treatments",
        "start_date",
        {"drug": "lenalidomide", "start_date": "2024-03-01", "dose_mg_per_day": "5"},
    ),
    "item level out of range": (
        "visits",
        "clasi_scalp_ery",
        {"visit_date": "2024-02-01", "clasi_scalp_ery": "7"},
    ),
    "severity not allowed": (
        "flares",
        "severity",
        {"flare_date": "2024-02-01", "severity": "extreme"},
    ),
    "future date": ("flares", "flare_date", {"flare_date": "2099-01-01", "severity": "mild"}),
}


def _folder(root: Path, table: str, row: dict[str, str]) -> Path:
    """P1's seed rows with ``row`` appended to ``table``, as a cohort folder of CSV files."""
    root.mkdir()
    for name, rows in SEED.items():
        frame = [dict(r) for r in rows]
        if name != "patients":
            frame = [{"patient_id": "P1", **r} for r in frame]
        if name == table:
            frame.append({"patient_id": "P1", **row})
        pd.DataFrame(frame).to_csv(root / f"{name}.csv", index=False)
    return root


def _key(problem: dict[str, Any]) -> tuple[str, str, str | None]:
    return (problem["field"], problem["message"], problem["allowed"])


def _validator(folder: Path, table: str, position: int) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["cohort", "validate", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    problems: list[dict[str, Any]] = json.loads(result.output)["problems"]
    return [p for p in problems if p["file"] == f"{table}.csv" and p["row"] == position]


def _imported(folder: Path, url: str, table: str, position: int) -> list[dict[str, Any]]:
    with pytest.raises(InputError) as caught:
        import_cohort(folder, actor=ADMIN, url=url)
    return [
        p.to_dict() for p in caught.value.problems if p.file == f"{table}.csv" and p.row == position
    ]


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("case", list(CASES))
def test_every_entry_point_refuses_with_the_same_message(
    case: str, make_client: Client, tmp_path: Path
) -> None:
    table, field, row = CASES[case]
    position = len(SEED[table]) + 1
    folder = _folder(tmp_path / "cohort", table, row)
    validated = _validator(folder, table, position)
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate.upgrade(empty)
    imported = _imported(folder, empty, table, position)

    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    refused = client.post(
        f"/api/patients/P1/records/{table}",
        json={"values": row},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 422, refused.text
    api = refused.json()["problems"]
    form = "/patients/P1/visits/new" if table == "visits" else f"/patients/P1/records/{table}/new"
    page = client.post(form, data={**row, "csrf_token": csrf})
    assert page.status_code == 422
    shown = html.unescape(page.text)

    assert validated, case
    assert field in {p["field"] for p in validated}
    assert {_key(p) for p in validated} == {_key(p) for p in imported} == {_key(p) for p in api}
    for problem in validated:
        assert problem["message"] in shown
        assert problem["allowed"] in shown
        assert problem["patient"] == "P1"
    assert {p["patient"] for p in api} == {"P1"}
    assert all(p["record"].startswith(f"{table} new record (") for p in api)
    stored = client.get(f"/api/patients/P1/records/{table}").json()
    assert len(stored) == len(SEED[table])  # nothing was written


@pytest.mark.slow
def test_a_copy_of_a_stored_row_is_refused_everywhere(make_client: Client, tmp_path: Path) -> None:
    row = {"onset_date": "2024-01-10", "term": "headache", "grade": "1"}  # the seed's event
    folder = _folder(tmp_path / "cohort", "adverse_events", row)
    validated = _validator(folder, "adverse_events", 2)
    assert [p["field"] for p in validated] == ["(whole row)"]
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    refused = client.post(
        "/api/patients/P1/records/adverse_events",
        json={"values": row},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["retryable"] is True
    assert [p["field"] for p in body["problems"]] == ["(whole row)"]
    assert "adverse_events record 1" in body["problems"][0]["message"]
    page = client.post("/patients/P1/records/adverse_events/new", data={**row, "csrf_token": csrf})
    assert page.status_code == 409
