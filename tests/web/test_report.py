"""The study report of ``clears report`` for the user's centres, built as a background job.

The reference report is built independently, the way ``clears report --db`` builds it
(:func:`clears.registry.exporter.export_cohort` for the centre, then
:func:`clears.report.build_report` with the CLI's default presets); the report the job
builds (opened in the browser, or downloaded as DOCX or XLSX) must hold the same tables,
cell for cell, and its figures. The worker is played by the test (:func:`work`). The seed
(tests/web/_setup.py) gets two follow-up visits per patient here, so that responses can be
evaluated.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape
from tests.web._setup import add_follow_up, app_for, run_jobs, sign_in

from clears.registry._actor import Actor
from clears.registry.audit_key import KEY_FILE_SUFFIX
from clears.registry.exporter import export_cohort
from clears.report import Report, build_report

pytestmark = pytest.mark.slow  # each test builds a study report through the web app


def report_file(client: TestClient, url: str, fmt: str, *, inline: bool = False) -> Response:
    """Submit the report job in ``fmt`` from the report page, run it, fetch its result."""
    csrf = client.get("/api/me").json()["csrf_token"]
    submitted = client.post(
        "/cohort/report", data={"csrf_token": csrf, "format": fmt}, follow_redirects=False
    )
    assert submitted.status_code == 303, submitted.text
    run_jobs(url)
    location = submitted.headers["location"]
    assert 'class="status-done"' in client.get(location).text
    return client.get(f"{location}/result{'?inline=true' if inline else ''}")


@pytest.fixture(scope="module")
def report_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed plus visits at weeks 4 and 13 (CLASI-A 12 -> 6 -> 2) for P1 and P2."""
    target = tmp_path_factory.mktemp("report") / "clears.db"
    shutil.copy(template_db, target)
    shutil.copy(f"{template_db}{KEY_FILE_SUFFIX}", f"{target}{KEY_FILE_SUFFIX}")
    url = f"sqlite:///{target}"
    add_follow_up(url)
    return url


@pytest.fixture(scope="module")
def app_client(report_db: str, password_hash: str) -> Iterator[TestClient]:
    app = app_for(report_db, password_hash)
    with TestClient(app, base_url="https://testserver") as client:
        sign_in(client, "inv_bcn")
        yield client
    app.state.clears.registry.engine.dispose()


@pytest.fixture(scope="module")
def reference(report_db: str) -> Report:
    """The report as ``clears report`` builds it, for the BCN centre only."""
    cohort = export_cohort(actor=Actor("reference", frozenset({"BCN"})), url=report_db)
    return build_report(cohort, criteria=["aitmehdi2021", "cortes2012"])


@pytest.fixture(scope="module")
def page(app_client: TestClient, report_db: str) -> str:
    response = report_file(app_client, report_db, "html", inline=True)
    assert response.status_code == 200, response.text
    return response.text


def test_page_shows_every_table_of_the_cli_report_cell_for_cell(
    page: str, reference: Report
) -> None:
    tables = list(reference.tables())
    assert len(tables) >= 5  # Table 1, outcomes, two response tables, safety...
    for table in tables:
        assert f'id="table-{table.key}"' in page, table.key
        body = page.split(f'id="table-{table.key}"', 1)[1].split("</table>", 1)[0]
        for row in table.frame.itertuples(index=False):
            expected = "".join(f"<td>{escape(str(cell))}</td>" for cell in row)
            assert expected in body, (table.key, row)


def test_page_shows_every_figure_as_an_inline_png(page: str, reference: Report) -> None:
    for figure in reference.figures():
        image = r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"'
        found = re.search(rf'<figure id="figure-{figure.key}">\s*{image}', page)
        assert found, figure.key
    assert page.count("<img ") == len(list(reference.figures()))


def test_page_states_methods_centres_and_no_database_address(page: str, reference: Report) -> None:
    assert "<dt>Cohort</dt><dd>registry (centres BCN)</dd>" in page
    assert "<dt>Patients treated</dt><dd>1</dd>" in page
    assert "sqlite" not in page
    for paragraph in reference.methods:
        assert f"<p>{escape(paragraph)}</p>" in page
    assert "CTCAE v5.0" in page


def test_report_page_offers_each_format(app_client: TestClient) -> None:
    form = app_client.get("/cohort/report").text
    for name in ("html", "docx", "xlsx"):
        assert f'name="format" value="{name}"' in form


def test_page_never_shows_another_centre(page: str) -> None:
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert not re.search(r"\bP2\b", text)
    assert "LYO" not in text


def test_html_download_is_the_standalone_cli_document(
    app_client: TestClient, report_db: str, reference: Report
) -> None:
    response = report_file(app_client, report_db, "html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'filename="clears-report.html"' in response.headers["content-disposition"]
    assert response.text.startswith("<!DOCTYPE html>")
    for table in reference.tables():
        assert f'<table id="table-{table.key}">' in response.text


def test_docx_download_has_every_table(
    app_client: TestClient, report_db: str, reference: Report
) -> None:
    from docx import Document

    response = report_file(app_client, report_db, "docx")
    assert response.status_code == 200
    assert 'filename="clears-report.docx"' in response.headers["content-disposition"]
    document = Document(io.BytesIO(response.content))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and str(p.style.name).startswith("Heading")
    ]
    assert [t.title for t in reference.tables()] == headings[1:-1]  # title ... Methods
    assert len(document.tables) == len(list(reference.tables()))
    first = next(reference.tables())
    assert document.tables[0].rows[1].cells[0].text == str(first.frame.iloc[0, 0])


def test_xlsx_download_has_a_sheet_per_table(
    app_client: TestClient, report_db: str, reference: Report
) -> None:
    from openpyxl import load_workbook

    response = report_file(app_client, report_db, "xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    # clears.report.xlsx: an "About" sheet, then one sheet per table.
    assert len(book.sheetnames) == 1 + len(list(reference.tables()))
    about = [row[1] for row in book["About"].iter_rows(values_only=True) if len(row) > 1]
    assert "registry (centres BCN)" in about
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert not re.search(r"\bP2\b", text)


def test_download_format_is_checked(app_client: TestClient) -> None:
    csrf = app_client.get("/api/me").json()["csrf_token"]
    response = app_client.post("/cohort/report", data={"csrf_token": csrf, "format": "pdf"})
    assert response.status_code == 422
    assert str(escape("'html', 'docx' or 'xlsx'")) in response.text


def test_monitor_reads_the_report(report_db: str, password_hash: str) -> None:
    app = app_for(report_db, password_hash)
    with TestClient(app, base_url="https://testserver") as client:
        sign_in(client, "monitor_bcn")
        assert report_file(client, report_db, "xlsx").status_code == 200
    app.state.clears.registry.engine.dispose()


def test_young_registry_report_says_nothing_is_evaluable_yet(
    make_client: object, db_url: str
) -> None:
    # The bare seed has only baseline visits: nothing is evaluable yet. The report is still
    # built, and its response section says why no proportions are shown.
    client = make_client()  # type: ignore[operator]
    sign_in(client, "inv_bcn")
    page = report_file(client, db_url, "html", inline=True)
    assert page.status_code == 200
    assert "No patient is evaluable for response yet" in page.text
    download = report_file(client, db_url, "docx")
    assert download.status_code == 200


def test_signed_out_is_sent_to_sign_in(make_client: object) -> None:
    client = make_client()  # type: ignore[operator]
    response = client.get("/cohort/report", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
