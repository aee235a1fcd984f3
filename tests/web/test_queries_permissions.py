"""Every data-query route, for every role: allowed by the declared table
(:data:`clears.registry.PERMISSIONS`) -> 2xx/3xx, refused -> 403 naming the role.

Which action each route is (the issue: a monitor opens, closes and re-opens; data entry
answers or corrects, and a correction changes a record; everyone reads) is written here;
which roles may take the action is read from the table, never copied. A route of the query
modules missing from this list fails the test, so a new route cannot go unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web._queries import ROLE_USERS, first_visit, seeded_query
from tests.web._setup import sign_in

from clears.registry import PERMISSIONS, Action, Role
from clears.web.routes import api_queries
from clears.web.routes import queries as query_pages


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the route's path template
    actions: tuple[Action, ...]
    status: str | None = None  # the query's status the step needs (None: no query needed)
    body: Callable[[Any, int], dict[str, Any]] | None = None  # (query, visit version) -> body
    form: bool = False


def _step(text: str) -> Callable[[Any, int], dict[str, Any]]:
    return lambda q, _v: {"version": q.version, "text": text}


def _correction(q: Any, record_version: int) -> dict[str, Any]:
    return {"version": q.version, "record_version": record_version, "value": "2.8", "text": "x"}


def _open_api(_q: Any, visit: int) -> dict[str, Any]:
    return {"table": "visits", "record_id": visit, "field": "anc", "text": "why?"}


def _open_form(_q: Any, visit: int) -> dict[str, Any]:
    return {"target": f"visits:{visit}", "field": "anc", "text": "why?"}


def _form_correction(q: Any, record_version: int) -> dict[str, Any]:
    # another value than the API's correction before it (a correction must change the value)
    return {"version": q.version, "record_version": record_version, "value": "2.9", "text": "x"}


READ = (Action.read,)
CASES = [
    Case("GET", "/api/queries", READ),
    Case("GET", "/api/queries/counts", READ),
    Case("GET", "/api/queries/{query_id}", READ, "open"),
    Case("GET", "/api/patients/{patient_id}/queries", READ),
    Case("POST", "/api/patients/{patient_id}/queries", (Action.open_query,), None, _open_api),
    Case("POST", "/api/queries/{query_id}/answer", (Action.answer_query,), "open", _step("a")),
    Case(
        "POST",
        "/api/queries/{query_id}/correction",
        (Action.answer_query, Action.record),
        "open",
        _correction,
    ),
    Case("POST", "/api/queries/{query_id}/close", (Action.close_query,), "answered", _step("")),
    Case("POST", "/api/queries/{query_id}/reopen", (Action.close_query,), "closed", _step("r")),
    Case("GET", "/queries", READ),
    Case("GET", "/queries/{query_id}", READ, "open"),
    Case(
        "POST", "/patients/{patient_id}/queries", (Action.open_query,), None, _open_form, form=True
    ),
    Case(
        "POST",
        "/queries/{query_id}/answer",
        (Action.answer_query,),
        "open",
        _step("a"),
        form=True,
    ),
    Case(
        "POST",
        "/queries/{query_id}/correction",
        (Action.answer_query, Action.record),
        "open",
        _form_correction,
        form=True,
    ),
    Case(
        "POST", "/queries/{query_id}/close", (Action.close_query,), "answered", _step(""), form=True
    ),
    Case(
        "POST",
        "/queries/{query_id}/reopen",
        (Action.close_query,),
        "answered",
        _step("r"),
        form=True,
    ),
]


def test_every_query_route_is_listed() -> None:
    routes = {
        (method, route.path)
        for router in (api_queries.router, query_pages.router)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert routes == {(case.method, case.path) for case in CASES}


def allowed(role: Role, actions: tuple[Action, ...]) -> bool:
    return all(role in PERMISSIONS[action] for action in actions)


def test_the_table_splits_the_roles() -> None:
    # Without this the walk below could pass with every role allowed everything.
    verdicts = {allowed(role, case.actions) for role in ROLE_USERS for case in CASES}
    assert verdicts == {True, False}


@pytest.mark.parametrize("role", list(ROLE_USERS), ids=str)
def test_each_route_allows_exactly_the_roles_of_the_table(
    make_client: Callable[[], TestClient], db_url: str, role: Role
) -> None:
    client = make_client()
    csrf = sign_in(client, ROLE_USERS[role])
    visit, _ = first_visit(db_url)
    for case in CASES:
        query = seeded_query(db_url, case.status) if case.status else None
        _, record_version = first_visit(db_url)
        path = case.path.replace("{patient_id}", "P1")
        if query is not None:
            path = path.replace("{query_id}", str(query.id))
        params = {"centre": "BCN"} if path in ("/api/queries", "/queries") else None
        body = case.body(query, record_version if query else visit) if case.body else None
        if case.method == "GET":
            response = client.get(path, params=params)
        elif case.form:
            response = client.post(
                path, data={**(body or {}), "csrf_token": csrf}, follow_redirects=False
            )
        else:
            response = client.post(path, json=body, headers={"X-CSRF-Token": csrf})
        where = f"{case.method} {case.path} as {role}"
        if allowed(role, case.actions):
            assert response.status_code < 400, f"{where}: {response.status_code} {response.text}"
        else:
            assert response.status_code == 403, f"{where}: {response.status_code}"
            assert f"the {role} role" in response.text, where
