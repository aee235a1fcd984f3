"""Signatures travel with the exports of signed records (21 CFR Part 11 §11.50(b)).

An identified export holds ``signatures.csv`` (clears.registry.exports.writer) with the
manifestation, signer, time and meaning of each signature of the exported records; a
de-identified export leaves them out and its manifest says so.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web._setup import PASSWORD, api_job, sign_in

Client = Callable[[], TestClient]


def _sign_p1_visit(make_client: Client) -> dict[str, object]:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    visit = client.get("/api/patients/P1/records/visits").json()[0]
    made = client.post(
        f"/api/patients/P1/visits/{visit['id']}/sign",
        json={"meaning": "review", "password": PASSWORD, "version": visit["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201, made.text
    body: dict[str, object] = made.json()
    return body


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_an_identified_export_holds_the_signatures(
    make_client: Client, db_url: str, fmt: str
) -> None:
    signed = _sign_p1_visit(make_client)
    client = make_client()
    sign_in(client, "inv_bcn")
    members = _members(api_job(client, db_url, "export", format=fmt).content)
    table = pd.read_csv(io.BytesIO(members[f"clears-{fmt}/signatures.csv"]))
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["patient_id"], row["entity"], int(row["record_id"])) == (
        "P1",
        "visits",
        signed["record_id"],
    )
    assert (row["signer"], row["signer_role"], row["meaning"]) == (
        "inv_bcn",
        "investigator",
        "review",
    )
    assert row["manifestation"] == signed["manifestation"]
    assert row["manifestation"].startswith("Signed by inv_bcn (investigator) on ")
    assert row["signed_at"] == signed["signed_at"].replace("Z", "+00:00")
    manifest = json.loads(members[f"clears-{fmt}/export.json"])
    assert manifest["signatures"] == {"file": "signatures.csv", "rows": 1}


def test_another_centre_and_a_deidentified_export_leave_them_out(
    make_client: Client, db_url: str
) -> None:
    _sign_p1_visit(make_client)
    lyon = make_client()
    sign_in(lyon, "inv_lyo")
    members = _members(api_job(lyon, db_url, "export", format="csv").content)
    assert "clears-csv/signatures.csv" not in members  # P1's signature is BCN's
    own = make_client()
    sign_in(own, "inv_bcn")
    members = _members(api_job(own, db_url, "export", format="csv", deidentified=True).content)
    assert "clears-csv/signatures.csv" not in members
    assert "inv_bcn" not in b"".join(members.values()).decode("utf-8", "replace")
