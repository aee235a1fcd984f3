"""The enrolment form and the JSON API read patient ids as every entry point does (H-INT-32–34).

Same table of identifiers as the registry tests (``tests/registry/_id_table.py``); and four
clients enrolling one new id at once get one success and clear, retryable 409s.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.registry._id_table import BAD_IDS, CASE_TWIN, PADDED
from tests.web._setup import api_job, sign_in

Client = Callable[[], TestClient]
WRITERS = 4


def _api(make_client: Client) -> tuple[TestClient, dict[str, str]]:
    client = make_client()
    return client, {"X-CSRF-Token": sign_in(client, "entry_bcn")}


def _ids(client: TestClient) -> list[str]:
    page = client.get("/api/patients", params={"limit": 200}).json()
    return [row["patient_id"] for row in page["patients"]]


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(("bad", "says"), BAD_IDS)
def test_the_api_refuses_a_bad_id(make_client: Client, bad: str, says: str) -> None:
    client, headers = _api(make_client)
    response = client.post(
        "/api/patients", headers=headers, json={"patient_id": bad, "centre": "BCN"}
    )
    assert response.status_code == 422, response.text
    problems = [p for p in response.json()["problems"] if p["field"] == "patient_id"]
    assert len(problems) == 1
    assert problems[0]["message"].startswith(says)
    assert _ids(client) == ["P1"]


@pytest.mark.parametrize(("bad", "says"), BAD_IDS)
def test_the_enrolment_form_refuses_a_bad_id(make_client: Client, bad: str, says: str) -> None:
    client, headers = _api(make_client)
    response = client.post(
        "/patients/new",
        data={"csrf_token": headers["X-CSRF-Token"], "patient_id": bad, "centre": "BCN"},
        follow_redirects=False,
    )
    assert response.status_code == 422, response.text[:300]
    assert f"patient_id</a>: {says}" in html.unescape(response.text)
    assert _ids(client) == ["P1"]


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(("typed", "stored"), PADDED)
def test_both_store_the_id_without_white_space(
    make_client: Client, db_url: str, typed: str, stored: str
) -> None:
    client, headers = _api(make_client)
    made = client.post(
        "/api/patients", headers=headers, json={"patient_id": typed, "centre": "BCN"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["patient_id"] == stored
    form = client.post(
        "/patients/new",
        data={"csrf_token": headers["X-CSRF-Token"], "patient_id": typed.replace("9", "8"),
              "centre": "BCN"},
        follow_redirects=False,
    )  # fmt: skip
    assert form.status_code == 303, form.text[:300]
    assert form.headers["location"] == "/patients/" + stored.replace("9", "8")
    assert _ids(client) == ["P08", "P09", "P1"]
    # The de-identified export of a registry with these patients works (it failed with a
    # 500 when ' P02' and 'P02 ' were stored side by side).
    admin = make_client()
    sign_in(admin, "inv_bcn")
    assert api_job(admin, db_url, "export", deidentified=True).status_code == 200


def test_both_refuse_an_id_equal_to_a_registered_one_ignoring_case(make_client: Client) -> None:
    client, headers = _api(make_client)
    made = client.post(
        "/api/patients", headers=headers, json={"patient_id": CASE_TWIN, "centre": "BCN"}
    )
    assert made.status_code == 409
    # One answer for every taken id, wherever it is held: the registered spelling is not
    # named (tests/web/test_security_refusals.py, docs/security.md).
    assert f"{CASE_TWIN!r} cannot be used for a new patient" in made.json()["detail"]
    form = client.post(
        "/patients/new",
        data={"csrf_token": headers["X-CSRF-Token"], "patient_id": CASE_TWIN, "centre": "BCN"},
    )
    assert form.status_code == 409
    assert f"{CASE_TWIN!r} cannot be used for a new patient" in html.unescape(form.text)
    assert 'value="p1"' in form.text  # the form keeps what was typed
    assert _ids(client) == ["P1"]


@pytest.mark.slow
@pytest.mark.parametrize("typed", ["%20P1", "P1%20", CASE_TWIN])
def test_api_lookups_find_the_registered_patient(make_client: Client, typed: str) -> None:
    client, _ = _api(make_client)
    for tail in ("", "/advice", "/response", "/audit"):
        found = client.get(f"/api/patients/{typed}{tail}")
        assert found.status_code == 200, (tail, found.text)
    assert client.get(f"/api/patients/{typed}").json()["patient_id"] == "P1"
    visits = client.get(f"/api/patients/{typed}/records/visits")
    assert visits.status_code == 200
    (visit,) = visits.json()
    one = client.get(f"/api/patients/{typed}/records/visits/{visit['id']}")
    assert one.status_code == 200, one.text
    assert one.json()["patient_id"] == "P1"
    page = client.get(f"/audit/patients/{typed}")
    assert page.status_code == 200
    assert "insert" in page.text


def _at_once(send: Callable[[int], int]) -> list[int]:
    barrier = threading.Barrier(WRITERS)
    codes = [0] * WRITERS

    def run(n: int) -> None:
        barrier.wait()
        codes[n] = send(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(codes)


@pytest.mark.slow  # over a second in --durations
def test_four_api_clients_enrolling_one_new_id_at_once(make_client: Client) -> None:
    pairs = [_api(make_client) for _ in range(WRITERS)]
    spellings = ["N1", "n1", " N1", "N1"]
    codes = _at_once(
        lambda n: (
            pairs[n][0]
            .post(
                "/api/patients",
                headers=pairs[n][1],
                json={"patient_id": spellings[n], "centre": "BCN"},
            )
            .status_code
        )
    )
    assert codes == [201] + [409] * (WRITERS - 1)
    assert sorted(i.lower() for i in _ids(pairs[0][0])) == ["n1", "p1"]


@pytest.mark.slow  # over a second in --durations
def test_four_form_clients_enrolling_one_new_id_at_once(make_client: Client) -> None:
    pairs = [_api(make_client) for _ in range(WRITERS)]
    codes = _at_once(
        lambda n: (
            pairs[n][0]
            .post(
                "/patients/new",
                data={
                    "csrf_token": pairs[n][1]["X-CSRF-Token"],
                    "patient_id": "N2",
                    "centre": "BCN",
                },
                follow_redirects=False,
            )
            .status_code
        )
    )
    assert codes == [303] + [409] * (WRITERS - 1)
    assert _ids(pairs[0][0]) == ["N2", "P1"]
