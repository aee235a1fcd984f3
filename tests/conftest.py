"""The ``slow`` marker for whole kinds of tests: a real browser or a PostgreSQL server.

``pytest -m "not slow"`` is the fast inner loop (docs/testing.md); the default
command runs everything. Tests are marked ``slow`` here when they use Debian's chromium
(the ``chromium`` fixture) or a PostgreSQL server (the ``postgres_url`` fixture, or a
``postgresql`` parameter of a per-backend fixture such as ``db_url``); other long tests carry
``@pytest.mark.slow`` themselves.
"""

from __future__ import annotations

import pytest
from tests import _system

#: Fixtures that start something outside Python: a browser or a database server.
SLOW_FIXTURES = frozenset({"chromium", "postgres_url"})
#: A parameter value that runs the test against a PostgreSQL server.
SLOW_PARAMETERS = frozenset({"postgresql"})


def needs_a_server(item: pytest.Item) -> bool:
    """Whether ``item`` drives a browser or a PostgreSQL server."""
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return any(isinstance(v, str) and v in SLOW_PARAMETERS for v in params)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_a_server(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium for the browser tests (installed once by
    :func:`tests._system.chromium`; started by :func:`tests._browser.launched`)."""
    return _system.chromium()
