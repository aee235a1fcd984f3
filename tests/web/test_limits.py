"""Request-size limits (clears.web._limits): oversized bodies are refused with 413 before the
app reads them, signed out and signed in, whether the size is declared or streamed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tests.web._setup import app_for, settings, sign_in

from clears.web._limits import BodyLimit

LIMIT = 4096  # bytes; small so that the tests send little
UPLOAD = 16384


class Counting:
    """An ASGI shim in front of the app: how many body bytes the app took from the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.taken = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.taken += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def counted(db_url: str, password_hash: str) -> Iterator[tuple[TestClient, Counting]]:
    app = app_for(db_url, password_hash, max_body_bytes=LIMIT, max_upload_bytes=UPLOAD)
    shim = Counting(app)
    with TestClient(shim, base_url="https://testserver") as client:
        yield client, shim
    app.state.clears.registry.engine.dispose()


def _json_of_size(size: int) -> bytes:
    """A JSON enrolment body padded with spaces to exactly ``size`` bytes."""
    body = json.dumps({"patient_id": "P9", "centre": "BCN"}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


@pytest.mark.slow
def test_declared_oversize_refused_signed_out_before_reading(
    counted: tuple[TestClient, Counting],
) -> None:
    client, shim = counted
    body = _json_of_size(LIMIT + 1)
    answer = client.post(
        "/api/patients", content=body, headers={"content-type": "application/json"}
    )
    # 413, not the 401/403 that comes after the body was read: nothing of it was taken.
    assert answer.status_code == 413
    assert f"{LIMIT + 1:,} bytes" in answer.json()["detail"]
    assert f"at most {LIMIT:,}" in answer.json()["detail"]
    assert shim.taken == 0


@pytest.mark.slow
def test_declared_oversize_form_refused_signed_in(counted: tuple[TestClient, Counting]) -> None:
    client, shim = counted
    csrf = sign_in(client, "inv_bcn")
    shim.taken = 0
    page = client.post(
        "/patients/new",
        data={"patient_id": "P9", "centre": "BCN", "csrf_token": csrf, "notes": "x" * LIMIT},
    )
    assert page.status_code == 413
    assert "request body too large" in page.text
    assert "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert shim.taken == 0
    assert client.get("/api/patients/P9").status_code == 404  # nothing enrolled


async def _stream(app: ASGIApp, headers: list[tuple[bytes, bytes]], chunks: int) -> tuple[int, int]:
    """POST ``chunks`` chunks of 1 KiB to ``/api/patients`` with no Content-Length, as a
    server passes a chunked body on; return the answer's status and the chunks taken."""
    taken = 0
    status: list[int] = []

    async def receive() -> Message:
        nonlocal taken
        if taken == chunks:
            return {"type": "http.request", "body": b"", "more_body": False}
        taken += 1
        return {"type": "http.request", "body": b" " * 1024, "more_body": True}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/api/patients",
        "raw_path": b"/api/patients",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    await app(scope, receive, send)
    return status[0], taken


@pytest.mark.slow
@pytest.mark.parametrize("signed_in", [False, True])
def test_streamed_oversize_stops_at_the_limit(
    counted: tuple[TestClient, Counting], signed_in: bool
) -> None:
    client, shim = counted
    headers: list[tuple[bytes, bytes]] = []
    if signed_in:
        csrf = sign_in(client, "inv_bcn")
        cookie = client.cookies.get("clears_session") or ""
        headers = [
            (b"cookie", f"clears_session={cookie}".encode()),
            (b"x-csrf-token", csrf.encode()),
        ]
    # About 1 MB offered; the app stops taking chunks once the running count passes the limit.
    status, taken = asyncio.run(_stream(shim.app, headers, chunks=1000))
    assert status == 413
    assert taken == LIMIT // 1024 + 1
    assert client.get("/api/patients/P9").status_code in (401, 404)


@pytest.mark.slow
def test_body_at_the_limit_accepted(counted: tuple[TestClient, Counting]) -> None:
    client, _shim = counted
    csrf = sign_in(client, "inv_bcn")
    answer = client.post(
        "/api/patients",
        content=_json_of_size(LIMIT),
        headers={"content-type": "application/json", "X-CSRF-Token": csrf},
    )
    assert answer.status_code == 201, answer.text


def _multipart(fields: dict[str, str]) -> bytes:
    """A ``multipart/form-data`` body of text fields (boundary ``b0``)."""
    parts = [
        f'--b0\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + "--b0--\r\n").encode()


@pytest.mark.slow
def test_uploads_have_their_own_limit(counted: tuple[TestClient, Counting]) -> None:
    client, shim = counted
    csrf = sign_in(client, "inv_bcn")
    form = {"patient_id": "P9", "centre": "BCN", "csrf_token": csrf}
    headers = {"content-type": "multipart/form-data; boundary=b0"}
    # Larger than the body limit, within the upload limit: read and answered by the route.
    between = _multipart({**form, "notes": "x" * (2 * LIMIT)})
    assert client.post("/patients/new", content=between, headers=headers).status_code == 422
    shim.taken = 0
    above = _multipart({**form, "notes": "x" * UPLOAD})
    assert client.post("/patients/new", content=above, headers=headers).status_code == 413
    assert shim.taken == 0


def test_middleware_alone_passes_small_bodies_and_other_scopes() -> None:
    seen: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append((await receive()).get("body", b""))

    limited = BodyLimit(app, max_body=4, max_upload=8)
    messages = iter([{"type": "http.request", "body": b"four", "more_body": False}])

    async def receive() -> Message:
        return next(messages)

    async def send(_message: Message) -> None:
        return None

    scope: Scope = {"type": "http", "headers": [(b"content-length", b"4")]}
    asyncio.run(limited(scope, receive, send))
    asyncio.run(limited({"type": "lifespan"}, receive, send))
    assert seen == [b"four"]
    with pytest.raises(ValueError, match="limits must be positive"):
        BodyLimit(app, max_body=0, max_upload=8)


def test_limits_are_settings_with_bounds() -> None:
    assert settings("sqlite://").max_body_bytes == 2**20
    assert settings("sqlite://", max_upload_bytes=2**21).max_upload_bytes == 2**21
    with pytest.raises(ValidationError, match="max_body_bytes"):
        settings("sqlite://", max_body_bytes=10)
