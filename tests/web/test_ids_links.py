"""Every URL built from data is encoded, and each patient link opens that patient (H-INT-30, 31).

The templates and the web modules are scanned for data put into a URL without the encoders
of ``clears.web._urls``; a registry with awkward identifiers (valid ones with punctuation and
legacy ones from before the alphabet, see ``tests/web/_awkward.py``) is walked link by link.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from tests.web._awkward import AWKWARD, LEGACY, VALID, add_awkward_patients
from tests.web._setup import ADMIN, sign_in

import clears.web
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import timeline
from clears.web._urls import SegmentRoute, patient_path, query_value, read_segment, segment
from clears.web.app import ROUTERS

Client = Callable[[], TestClient]
WEB = Path(clears.web.__file__).parent
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
ENCODERS = ("segment", "query", "built_path")
URL_ATTRIBUTES = re.compile(r"\b(href|action|src)\s*=\s*\"")
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
#: base64 output (A-Z a-z 0-9 + / =) is the payload of a data: URL, not URL syntax.
DATA_URL = re.compile(r"data:[\w/.+-]+;base64,\{\{\s*b64\([^{}]*\)\s*\}\}")


def _attribute_values(text: str) -> Iterator[str]:
    """The values of the URL attributes in ``text`` (a quote inside ``{{ }}`` does not end one)."""
    for found in URL_ATTRIBUTES.finditer(text):
        at, depth = found.end(), 0
        while at < len(text) and (depth or text[at] != '"'):
            if text.startswith("{{", at):
                depth, at = depth + 1, at + 2
            elif text.startswith("}}", at) and depth:
                depth, at = depth - 1, at + 2
            else:
                at += 1
        yield text[found.end() : at]


def unencoded(text: str) -> list[str]:
    """The expressions of ``text`` put into a URL attribute without an encoder filter."""
    bad = []
    for value in _attribute_values(text):
        for expression in EXPRESSION.findall(DATA_URL.sub("", value)):
            last = expression.rsplit("|", 1)
            if len(last) < 2 or last[1].strip() not in ENCODERS:
                bad.append(f"{value!r}: {{{{{expression}}}}}")
    return bad


def test_the_template_scan_finds_unencoded_values() -> None:
    # The scan itself can fail: each of these puts data into a URL without an encoder.
    assert unencoded('<a href="/patients/{{ pid }}">') == ["'/patients/{{ pid }}': {{ pid }}"]
    assert unencoded('<form action="/x/{{ a|segment }}/{{ b|e }}">') != []
    assert unencoded('<img src="{{ url }}">') != []
    assert unencoded('<a class="x" href="/p?x={{ "a" if y else "b" }}">') != []
    assert unencoded('<a href="/p/{{ pid | segment }}?q={{ q|query }}">') == []
    assert unencoded('<img src="data:image/png;base64,{{ b64(f.png) }}">') == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_encode_every_value_in_a_url(template: Path) -> None:
    assert unencoded(template.read_text(encoding="utf-8")) == []


def _url_problems(tree: ast.AST) -> list[int]:
    """Lines where a string starting with '/' gets data not passed through an encoder."""

    def encoded(node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in ("segment", "query_value", "patient_path")
        return False

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and str(first.value).startswith("/"):
                lines += [
                    node.lineno
                    for part in node.values
                    if isinstance(part, ast.FormattedValue) and not encoded(part.value)
                ]
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and isinstance(node.left, ast.Constant)
            and str(node.left.value).startswith("/")
            and not encoded(node.right)
            and not isinstance(node.right, ast.Constant)
        ):
            lines.append(node.lineno)
    return lines


def test_the_python_scan_finds_unencoded_urls() -> None:
    assert _url_problems(ast.parse('RedirectResponse(f"/patients/{pid}")')) == [1]
    assert _url_problems(ast.parse('x = "/patients/" + pid')) == [1]
    assert _url_problems(ast.parse('x = f"/patients/{segment(pid)}/audit"')) == []


@pytest.mark.parametrize("module", sorted(WEB.rglob("*.py")), ids=lambda p: p.name)
def test_web_modules_encode_every_value_in_a_url(module: Path) -> None:
    assert _url_problems(ast.parse(module.read_text(encoding="utf-8"))) == []


def test_every_route_reads_its_path_parameters_from_the_raw_path() -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert routes
    assert [r.path for r in routes if not isinstance(r, SegmentRoute)] == []


@given(st.text())
def test_a_segment_is_one_segment_that_reads_back(value: str) -> None:
    encoded = segment(value)
    # RFC 3986 section 5.2 reference resolution (urllib's), independent of clears: the
    # segment neither leaves /patients/ nor adds a segment, a query or a fragment.
    resolved = urlsplit(urljoin("https://host/patients/", encoded))
    assert resolved.path == "/patients/" + encoded
    assert resolved.query == resolved.fragment == ""
    assert "/" not in encoded
    assert read_segment(encoded) == value


@given(st.text())
def test_a_query_value_reads_back(value: str) -> None:
    encoded = query_value(value)
    assert not set(encoded) & set("&=+#/?; ")
    assert unquote(encoded) == value


@pytest.mark.parametrize(
    ("patient_id", "path"),
    [
        # Percent-encoding by hand from RFC 3986 section 2.1 (US-ASCII hex of each octet).
        ("P-01", "/patients/P-01"),
        ("P/04", "/patients/P%2F04"),
        ("P?05", "/patients/P%3F05"),
        ("P#06", "/patients/P%2306"),
        ("P%2F07", "/patients/P%252F07"),
        ("P 08", "/patients/P%2008"),
        ("P~9", "/patients/P%7E9"),
        ("..", "/patients/~.."),
    ],
)
def test_patient_paths(patient_id: str, path: str) -> None:
    assert patient_path(patient_id) == path


@pytest.fixture
def awkward(db_url: str) -> str:
    add_awkward_patients(db_url)
    return db_url


def _links(page: str, pattern: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(pattern, page)]


def _visits(url: str, patient_id: str) -> list[str]:
    engine = make_engine(url)
    with transaction(engine) as session:
        found = timeline(session, actor=ADMIN, patient_id=patient_id)["visits"]
    engine.dispose()
    return [str(v.data["visit_date"]) for v in found]


@pytest.mark.slow  # over a second in --durations
def test_every_patient_link_opens_its_own_patient_and_saves_to_them(
    awkward: str, make_client: Client
) -> None:
    client = make_client()
    token = sign_in(client, "entry_bcn")
    listing = client.get("/patients").text
    links = _links(listing, r'<li><a href="(/patients/[^"]*)">')
    shown = [html.unescape(t) for t in re.findall(r'<li><a href="[^"]*">([^<]*)</a>', listing)]
    assert sorted(shown) == sorted(["P1", *AWKWARD])
    for link, patient_id in zip(links, shown, strict=True):
        page = client.get(link)
        assert page.status_code == 200, (patient_id, link)
        assert f"<h1>Patient {html.escape(patient_id)}</h1>" in page.text, (patient_id, link)
        new_visit = _links(page.text, r'id="new-visit" href="([^"]*)"')
        assert new_visit == [f"{link}/visits/new"]
        form = client.get(new_visit[0])
        assert form.status_code == 200, (patient_id, new_visit)
        saved = client.post(
            new_visit[0],
            data={"csrf_token": token, "visit_date": "2024-03-05"},
            follow_redirects=False,
        )
        assert saved.status_code == 303, (patient_id, saved.text[:500])
        assert saved.headers["location"] == f"{link}?saved=visits"
        assert "2024-03-05" in _visits(awkward, patient_id)
        for other in _links(page.text, r'href="(/(?:patients|audit)/[^"]*)"'):
            assert client.get(other).status_code == 200, (patient_id, other)
    # Each save went to its own patient: one new visit each, none to a look-alike.
    assert _visits(awkward, "P1").count("2024-03-05") == 1
    for patient_id in AWKWARD:
        assert _visits(awkward, patient_id) == ["2024-03-05"]


@pytest.mark.parametrize("patient_id", [*VALID, *LEGACY])
def test_the_api_reads_the_patient_its_path_names(
    awkward: str, make_client: Client, patient_id: str
) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    found = client.get("/api" + patient_path(patient_id))
    assert found.status_code == 200, found.text
    assert found.json()["patient_id"] == patient_id
    audit = client.get("/api" + patient_path(patient_id, "audit"))
    assert audit.status_code == 200
