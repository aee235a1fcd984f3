"""Schema-driven fuzz of the JSON API: schemathesis generates requests from /openapi.json
and no response may be a server error (5xx), signed in as a writing user of one centre."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from tests.web._setup import app_for, hash_once, make_database, sign_in

pytestmark = pytest.mark.slow  # property test over every route

schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    url = make_database(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    client = TestClient(app_for(url, hash_once()), base_url="https://testserver")
    return client, sign_in(client, "inv_bcn")


def test_no_server_errors(signed_in: tuple[TestClient, str]) -> None:
    client, csrf = signed_in
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    failures: list[str] = []

    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @schemathesis_given(op)
        def check(case: object) -> None:
            kwargs = case.as_transport_kwargs(base_url="https://testserver")  # type: ignore[attr-defined]
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-CSRF-Token": csrf}
            kwargs.pop("base_url", None)
            kwargs.pop("cookies", None)  # the client's own session cookie is used
            response = client.request(**kwargs)
            if response.status_code >= 500:
                failures.append(f"{kwargs['method']} {kwargs['url']}: {response.status_code}")

        check()
    assert failures == []


def schemathesis_given(operation: object) -> object:
    """Hypothesis ``given`` of one operation's generated cases."""
    from hypothesis import given

    return given(operation.as_strategy())  # type: ignore[attr-defined]
