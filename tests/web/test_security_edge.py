"""Types and limits at the API edge (clears.web._edge, clears.web.schemas), on SQLite and
PostgreSQL: each JSON value its own type, numbers the database holds, no NUL anywhere;
every refusal 422 naming the field, and nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web._backends import backend_url, postgres_web_registry
from tests.web._setup import app_for, sign_in

__all__ = ["backend_url", "postgres_web_registry"]  # fixtures

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the widest whole number every backend stores


@pytest.fixture(scope="module")
def api(backend_url: str, password_hash: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = app_for(backend_url, password_hash)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, {"X-CSRF-Token": sign_in(client, "inv_bcn")}
    app.state.clears.registry.engine.dispose()


def _fields(answer: object) -> list[str]:
    body = answer.json()  # type: ignore[attr-defined]
    return [p["field"] for p in body.get("problems", [])]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sent", "day", "locked"), [("false", 1, False), ("no", 2, False), ("true", 3, True)]
)
def test_locked_as_text_is_read_as_yes_or_no(
    api: tuple[TestClient, dict[str, str]], sent: str, day: int, locked: bool
) -> None:
    client, headers = api
    made = client.post(
        "/api/patients/P1/records/visits",
        headers=headers,
        json={"values": {"visit_date": f"2024-03-0{day}", "clasi_a": 4, "locked": sent}},
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"].get("locked", False) is locked


def test_locked_neither_yes_nor_no_is_refused(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    before = len(client.get("/api/patients/P1/records/visits").json())
    refused = client.post(
        "/api/patients/P1/records/visits",
        headers=headers,
        json={"values": {"visit_date": "2024-03-09", "locked": "maybe"}},
    )
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["locked"]
    assert len(client.get("/api/patients/P1/records/visits").json()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "1", "changes": {"severity": "severe"}}, "body.version"),
        ({"version": 1.0, "changes": {"severity": "severe"}}, "body.version"),
        ({"version": True, "changes": {"severity": "severe"}}, "body.version"),
        ({"version": INT_MAX + 1, "changes": {"severity": "severe"}}, "body.version"),
        ({"version": 1, "changes": {"severity": ["severe"]}}, "body.changes.severity"),
        ({"version": 1, "changes": {"severity": "severe"}, "reason": 5}, "body.reason"),
    ],
)
def test_json_types_are_strict(
    api: tuple[TestClient, dict[str, str]], body: dict[str, object], field: str
) -> None:
    client, headers = api
    answer = client.patch("/api/patients/P1/records/flares/1", headers=headers, json=body)
    assert answer.status_code == 422, answer.text
    assert any(f == field or f.startswith(field + ".") for f in _fields(answer)), _fields(answer)


@pytest.mark.parametrize("number", [INT_MAX + 1, -(2**31) - 1, 10.0**12])
def test_numbers_beyond_the_database_are_refused(
    api: tuple[TestClient, dict[str, str]], number: float
) -> None:
    client, headers = api
    answer = client.post(
        "/api/patients/P1/records/adverse_events",
        headers=headers,
        json={"values": {"onset_date": "2024-02-01", "term": "rash", "grade": number}},
    )
    assert answer.status_code == 422, answer.text
    assert "body.values.grade" in _fields(answer)


@pytest.mark.parametrize(("record_id", "status"), [(INT_MAX, 404), (INT_MAX + 1, 422), (0, 422)])
def test_record_ids_within_the_database_range(
    api: tuple[TestClient, dict[str, str]], record_id: int, status: int
) -> None:
    client, headers = api
    read = client.get(f"/api/patients/P1/records/flares/{record_id}")
    edit = client.patch(
        f"/api/patients/P1/records/flares/{record_id}",
        headers=headers,
        json={"version": 1, "changes": {"severity": "severe"}},
    )
    assert (read.status_code, edit.status_code) == (status, status)
    if status == 422:
        assert _fields(read) == ["path.record_id"]


def test_nul_in_path_query_json_and_form_is_refused_naming_it(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = api
    before = client.get("/api/patients/P1/records/adverse_events").json()
    answers = {
        "path.patient_id": client.get("/api/patients/P1%00"),
        "query.q": client.get("/api/patients", params={"q": "P\x00"}),
        "body.values.term": client.post(
            "/api/patients/P1/records/adverse_events",
            headers=headers,
            json={"values": {"onset_date": "2024-02-01", "term": "ra\x00sh"}},
        ),
        "body.values.te\x00rm": client.post(
            "/api/patients/P1/records/adverse_events",
            headers=headers,
            json={"values": {"onset_date": "2024-02-01", "te\x00rm": "rash"}},
        ),
        "body.patient_id": client.post(
            "/api/patients", headers=headers, json={"patient_id": "P\x009", "centre": "BCN"}
        ),
        "body.term": client.post(
            "/patients/P1/records/adverse_events/new",
            data={
                "onset_date": "2024-02-01",
                "term": "ra\x00sh",
                "csrf_token": headers["X-CSRF-Token"],
            },
        ),
    }
    assert {field: a.status_code for field, a in answers.items()} == dict.fromkeys(answers, 422)
    for field, answer in answers.items():
        if answer.headers["content-type"].startswith("application/json"):
            assert field in _fields(answer), (field, answer.text)
            assert "NUL character" in answer.text
        else:
            assert "NUL character" in answer.text
            assert field in answer.text
    assert client.get("/api/patients/P1/records/adverse_events").json() == before
    assert client.get("/api/patients/P9").status_code == 404


def test_a_long_value_comes_back_cut_with_its_length(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = api
    value = "9" * 500_000  # within the body limit; far more than any message should echo
    answer = client.post(
        "/api/patients/P1/records/adverse_events",
        headers=headers,
        json={"values": {"onset_date": "2024-02-01", "term": "rash", "grade": value}},
    )
    page = client.post(
        "/patients/P1/records/adverse_events/new",
        data={"onset_date": "2024-02-01", "term": "rash", "grade": value, **_csrf(headers)},
    )
    assert (answer.status_code, page.status_code) == (422, 422)
    (problem,) = answer.json()["problems"]
    assert problem["value"].endswith("… (500,000 characters in all)")
    assert len(answer.text) < 2_000
    # The form gives back what was typed in its field, but the message echoes it cut.
    assert page.text.count(value) == 1
    assert "(500,000 characters in all)" in page.text


def _csrf(headers: dict[str, str]) -> dict[str, str]:
    return {"csrf_token": headers["X-CSRF-Token"]}


def test_every_template_echoes_a_problem_value_cut() -> None:
    from pathlib import Path

    import clears.web

    templates = Path(clears.web.__file__).parent / "templates"
    # Every ``{{ p.value ... }}`` a template prints goes through the filter that cuts it.
    found = {
        path.name: re.findall(r"\{\{\s*p\.value\s*(\|[^}]*)?\}\}", path.read_text("utf-8"))
        for path in templates.glob("*.html")
    }
    printed = {name: filters for name, filters in found.items() if filters}
    assert printed, "the scan found no problem value printed: it would pass on anything"
    assert {name: f for name, f in printed.items() if any("echoed" not in x for x in f)} == {}
