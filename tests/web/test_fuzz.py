"""Schema-driven fuzz of the JSON API, on SQLite and on PostgreSQL: schemathesis generates
requests from /openapi.json (the app's own schema, no network), signed in as a writing user
of one centre, and no response may be a server error (5xx).

Bounded (:data:`CASES` per operation, no example database), so that CI stays inside its time;
marked ``slow``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from tests.web._backends import backend_url, postgres_web_registry
from tests.web._setup import app_for, hash_once, sign_in

pytestmark = pytest.mark.slow  # property test over every route

schemathesis = pytest.importorskip("schemathesis")

__all__ = ["backend_url", "postgres_web_registry"]  # fixtures


#: Generated cases per operation and backend.
CASES = 30


@pytest.fixture(scope="module")
def signed_in(
    backend_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    # A photo store of its own, as a PostgreSQL registry must be given (docs/photographs.md).
    photos = tmp_path_factory.mktemp("photos")
    app = app_for(backend_url, hash_once(), photo_root=photos)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, sign_in(client, "inv_bcn")
    app.state.clears.registry.engine.dispose()


def _as_sent(files: Any) -> Any:
    """Multipart parts as a client sends them: a generated extra field's value may be a
    number or a boolean, which only exists as its text on the wire."""
    if not isinstance(files, list):
        return files
    return [
        (name, (filename, value if isinstance(value, (str, bytes)) else json.dumps(value)))
        for name, (filename, value, *_) in files
    ]


def test_no_server_errors(signed_in: tuple[TestClient, str]) -> None:
    client, csrf = signed_in
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10

    for operation in operations:

        @settings(
            max_examples=CASES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def check(case: Any) -> None:
            kwargs = case.as_transport_kwargs(base_url="https://testserver")
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-CSRF-Token": csrf}
            # The schema offers an API token too; a generated one would only ever get 401.
            kwargs["headers"].pop("Authorization", None)
            kwargs.pop("base_url", None)
            kwargs.pop("cookies", None)  # the client's own session cookie is used
            kwargs["files"] = _as_sent(kwargs.get("files"))
            response = client.request(**kwargs)
            if response.status_code >= 500:
                failures.append(f"{kwargs['method']} {kwargs['url']}: {response.status_code}")

        check()
    assert failures == []
