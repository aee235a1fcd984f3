"""Clinical photographs in the web app: upload on a visit's page, the bytes served without
metadata and with their headers, the patient page's strip, comparison, removal with a
reason, and the JSON API.

Seed (tests/web/_setup.py): P1 at BCN owns visit 1, P2 at LYO visit 2. The photo store of
the test registry is ``photos/`` beside its SQLite file (docs/photographs.md). The images
are drawn by Pillow here: a JPEG as a phone writes it, with EXIF GPS, the owner's name and
a comment, none of which may leave the server.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import ExifTags, Image
from tests._browser import artifacts, launched
from tests._images import gps_jpeg
from tests.web._setup import PASSWORD, app_for, served, sign_in

from clears.registry.photos import DEFAULT_MAX_BYTES

Client = Callable[[], TestClient]

VISIT = "/patients/P1/visits/1/photos"


def _store(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///")).parent / "photos"


def _files(db_url: str) -> list[Path]:
    root = _store(db_url)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(
    client: TestClient,
    csrf: str,
    data: bytes,
    *,
    path: str = VISIT,
    name: str = "cheek.jpg",
    kind: str = "image/jpeg",
    **fields: str,
) -> Response:
    return client.post(
        path,
        data={"csrf_token": csrf, **fields},
        files={"photo": (name, data, kind)},
        follow_redirects=False,
    )


def _photo_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="photo" id="photo-(\d+)"', page)]


@pytest.fixture
def bcn(make_client: Client) -> tuple[TestClient, str]:
    client = make_client()
    return client, sign_in(client, "inv_bcn")


def test_the_test_image_carries_gps_and_an_owner() -> None:
    # Without this, the metadata check below could pass on an image that never had any.
    exif = Image.open(io.BytesIO(gps_jpeg())).getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert b"Jane Example" in gps_jpeg()


@pytest.mark.slow
def test_upload_redirects_to_the_visit_and_serves_it_without_metadata(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    sent = _upload(client, csrf, gps_jpeg(), area="nose_malar", caption="week 12", view="close-up")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == VISIT
    page = client.get(VISIT)
    assert page.status_code == 200
    [photo_id] = _photo_ids(page.text)
    assert "week 12" in page.text
    assert "Nose (incl. malar area)" in page.text
    for path in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumbnail"):
        served = client.get(path)
        assert served.status_code == 200, path
        image = Image.open(io.BytesIO(served.content))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
        assert b"Jane" not in served.content
        assert b"SyntheticPhone" not in served.content
    # upright: orientation 6 turned the 64x48 frame into 48x64 before the tag was dropped
    assert Image.open(io.BytesIO(client.get(f"/photos/{photo_id}").content)).size == (48, 64)
    assert len(_files(db_url)) == 2  # the photograph and its thumbnail


def test_served_photographs_carry_private_no_store_nosniff_and_a_pseudonymous_name(
    bcn: tuple[TestClient, str],
) -> None:
    client, csrf = bcn
    assert _upload(client, csrf, gps_jpeg(), name="P1-jane-2024-01-01.jpg").status_code == 303
    [photo_id] = _photo_ids(client.get(VISIT).text)
    for path, name in (
        (f"/photos/{photo_id}", f"photo-{photo_id}.jpg"),
        (f"/photos/{photo_id}/thumbnail", f"photo-{photo_id}-thumbnail.jpg"),
        (f"/api/photos/{photo_id}/image", f"photo-{photo_id}.jpg"),
    ):
        served = client.get(path)
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"] == "private, no-store"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"] == f'inline; filename="{name}"'
        assert "P1" not in served.headers["content-disposition"]


def test_a_text_file_is_refused_with_the_form_as_typed_and_nothing_stored(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    refused = _upload(
        client,
        csrf,
        b"just some notes, not an image\n",
        name="notes.jpg",
        kind="image/jpeg",
        area="scalp",
        caption="left temple, week 4",
        view="overview",
    )
    assert refused.status_code == 422
    assert 'href="#field-photo"' in refused.text
    assert "is not a JPEG, PNG, WebP or TIFF image by its content" in refused.text
    assert "allowed: a JPEG, PNG, WebP or TIFF image of at most 16 MiB" in refused.text
    assert 'value="left temple, week 4"' in refused.text
    assert 'value="overview"' in refused.text
    assert '<option value="scalp" selected>' in refused.text
    assert _files(db_url) == []
    assert _photo_ids(client.get(VISIT).text) == []


@pytest.mark.slow
def test_a_photograph_too_big_is_refused_by_its_size(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    big = b"\xff\xd8\xff\xe0" + b"\0" * DEFAULT_MAX_BYTES  # one JPEG signature, then 16 MiB
    refused = _upload(client, csrf, big, caption="too big")
    assert refused.status_code == 422
    assert f"more than the {DEFAULT_MAX_BYTES:,} allowed" in refused.text
    assert 'value="too big"' in refused.text
    assert _files(db_url) == []


def test_an_area_that_is_not_a_clasi_area_is_refused_naming_the_allowed_ones(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    refused = _upload(client, csrf, gps_jpeg(), area="elbow", caption="kept")
    assert refused.status_code == 422
    assert 'href="#field-area"' in refused.text
    assert "is not a CLASI area" in refused.text
    assert "scalp, ears, nose_malar" in refused.text
    assert 'value="kept"' in refused.text
    assert _files(db_url) == []


@pytest.mark.slow
def test_another_centres_photograph_visit_and_upload_are_not_found(
    make_client: Client, db_url: str
) -> None:
    owner = make_client()
    csrf = sign_in(owner, "inv_bcn")
    assert _upload(owner, csrf, gps_jpeg()).status_code == 303
    [photo_id] = _photo_ids(owner.get(VISIT).text)
    other = make_client()
    other_csrf = sign_in(other, "inv_lyo")
    for path in (
        f"/photos/{photo_id}",
        f"/photos/{photo_id}/thumbnail",
        f"/api/photos/{photo_id}/image",
        VISIT,
        "/patients/P1/photos",
        "/patients/P1/photos/compare",
        "/api/patients/P1/visits/1/photos",
    ):
        assert other.get(path).status_code == 404, path
    assert _upload(other, other_csrf, gps_jpeg()).status_code == 404
    removal = {"csrf_token": other_csrf, "version": "1", "reason": "not mine"}
    assert other.post(f"/photos/{photo_id}/remove", data=removal).status_code == 404
    # a visit of another patient under one's own patient is not found either
    assert _upload(owner, csrf, gps_jpeg(), path="/patients/P1/visits/2/photos").status_code == 404
    assert len(_files(db_url)) == 2  # only the first upload's two files
    assert owner.get(f"/photos/{photo_id}").status_code == 200


def test_a_monitor_sees_photographs_but_may_not_upload(
    make_client: Client, bcn: tuple[TestClient, str]
) -> None:
    client, csrf = bcn
    assert _upload(client, csrf, gps_jpeg()).status_code == 303
    monitor = make_client()
    monitor_csrf = sign_in(monitor, "monitor_bcn")
    page = monitor.get(VISIT)
    assert page.status_code == 200
    assert len(_photo_ids(page.text)) == 1
    assert 'id="photo-upload"' not in page.text
    assert _upload(monitor, monitor_csrf, gps_jpeg()).status_code == 403


def test_upload_needs_the_csrf_token(bcn: tuple[TestClient, str], db_url: str) -> None:
    client, _ = bcn
    assert _upload(client, "not-the-token", gps_jpeg()).status_code == 403
    assert _files(db_url) == []


@pytest.mark.slow
def test_removal_needs_a_reason_and_hides_the_photograph(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    assert _upload(client, csrf, gps_jpeg(), caption="to remove").status_code == 303
    [photo_id] = _photo_ids(client.get(VISIT).text)
    blank = client.post(
        f"/photos/{photo_id}/remove", data={"csrf_token": csrf, "version": "1", "reason": " "}
    )
    assert blank.status_code == 422
    assert "is required to remove a photograph" in blank.text
    removed = client.post(
        f"/photos/{photo_id}/remove",
        data={"csrf_token": csrf, "version": "1", "reason": "wrong patient"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert removed.headers["location"] == VISIT
    assert _photo_ids(client.get(VISIT).text) == []
    assert client.get(f"/photos/{photo_id}").status_code == 404
    assert 'id="photo-' not in client.get("/patients/P1").text
    # soft: the file stays, and the audit trail says who removed it and why
    assert len(_files(db_url)) == 2
    history = client.get("/api/patients/P1/audit").text
    assert "wrong patient" in history


def test_a_stale_removal_answers_409_with_the_conflict_notice(
    bcn: tuple[TestClient, str],
) -> None:
    client, csrf = bcn
    assert _upload(client, csrf, gps_jpeg()).status_code == 303
    [photo_id] = _photo_ids(client.get(VISIT).text)
    stale = client.post(
        f"/photos/{photo_id}/remove",
        data={"csrf_token": csrf, "version": "7", "reason": "duplicate"},
    )
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text
    assert "changed since it was read (version 7, now 1)" in stale.text
    assert 'value="duplicate"' in stale.text  # the reason typed is kept
    assert _photo_ids(client.get(VISIT).text) == [photo_id]


def test_a_photograph_a_colleague_removed_answers_409_naming_who_and_why(
    make_client: Client,
) -> None:
    # Two people have the visit's page open; the first removes the photograph, the second
    # then removes it from the page they still have (version 1): told it is gone and why.
    first, second = make_client(), make_client()
    csrf_first, csrf_second = sign_in(first, "inv_bcn"), sign_in(second, "entry_bcn")
    assert _upload(first, csrf_first, gps_jpeg()).status_code == 303
    [photo_id] = _photo_ids(first.get(VISIT).text)
    done = first.post(
        f"/photos/{photo_id}/remove",
        data={"csrf_token": csrf_first, "version": "1", "reason": "wrong patient"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    late = second.post(
        f"/photos/{photo_id}/remove",
        data={"csrf_token": csrf_second, "version": "1", "reason": "blurred"},
    )
    assert late.status_code == 409
    assert 'id="conflict"' in late.text
    assert "already removed by inv_bcn" in late.text
    assert "(wrong patient)" in late.text


@pytest.mark.slow
def test_the_patient_page_strip_is_newest_first_and_bounded(
    bcn: tuple[TestClient, str],
) -> None:
    client, csrf = bcn
    for n in range(3):
        sent = _upload(
            client, csrf, gps_jpeg(colour=(n * 40, 90, 60)), caption=f"shot {n}", area="ears"
        )
        assert sent.status_code == 303
    page = client.get("/patients/P1")
    ids = _photo_ids(page.text)
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    assert "shot 2" in page.text
    assert "Ears" in page.text
    assert "2024-01-01" in page.text
    assert f'href="/photos/{ids[0]}"' in page.text
    assert f'src="/photos/{ids[0]}/thumbnail"' in page.text
    assert 'id="photos-more"' not in page.text
    assert 'href="/patients/P1/visits/1/photos"' in page.text


@pytest.mark.slow
def test_the_strip_shows_at_most_24_with_a_link_to_more(
    bcn: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.web import _photos

    monkeypatch.setattr(_photos, "STRIP_SIZE", 2)  # three photographs, a strip of two
    client, csrf = bcn
    for n in range(3):
        assert _upload(client, csrf, gps_jpeg(colour=(n * 40, 9, 9))).status_code == 303
    page = client.get("/patients/P1")
    assert len(_photo_ids(page.text)) == 2
    assert 'href="/patients/P1/photos?page=2"' in page.text
    assert _photos.STRIP_SIZE == 2


@pytest.mark.slow
def test_the_patient_photographs_page_pages(
    bcn: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.web.routes import photos

    monkeypatch.setattr(photos, "PAGE_SIZE", 2)
    client, csrf = bcn
    for n in range(3):
        assert _upload(client, csrf, gps_jpeg(colour=(n * 40, 9, 9))).status_code == 303
    first = client.get("/patients/P1/photos")
    second = client.get("/patients/P1/photos?page=2")
    assert len(_photo_ids(first.text)) == 2
    assert 'id="photos-older"' in first.text
    assert len(_photo_ids(second.text)) == 1
    assert 'id="photos-newer"' in second.text
    assert set(_photo_ids(first.text)).isdisjoint(_photo_ids(second.text))


@pytest.mark.slow
def test_compare_shows_two_visits_side_by_side_of_one_area(
    bcn: tuple[TestClient, str],
) -> None:
    client, csrf = bcn
    later = client.post(
        "/api/patients/P1/records/visits",
        json={"values": {"visit_date": "2024-04-01", "clasi_a": 2}},
        headers={"X-CSRF-Token": csrf},
    ).json()["id"]
    later_path = f"/patients/P1/visits/{later}/photos"
    assert _upload(client, csrf, gps_jpeg(colour=(200, 0, 0)), area="scalp").status_code == 303
    assert _upload(client, csrf, gps_jpeg(colour=(0, 200, 0)), area="ears").status_code == 303
    assert (
        _upload(
            client, csrf, gps_jpeg(colour=(0, 0, 200)), area="scalp", path=later_path
        ).status_code
        == 303
    )
    page = client.get(f"/patients/P1/photos/compare?left=1&right={later}&area=scalp")
    assert page.status_code == 200
    sides = page.text.split('id="side-2"')
    assert "2024-01-01" in sides[0]
    assert "2024-04-01" in sides[1]
    assert sides[0].count('<figure class="photo"') == 1  # the scalp one, not the ears one
    assert sides[1].count('<figure class="photo"') == 1
    everything = client.get("/patients/P1/photos/compare")  # first and latest visit, all areas
    assert everything.text.split('id="side-2"')[0].count('<figure class="photo"') == 2
    assert client.get("/patients/P1/photos/compare?area=elbow").status_code == 422
    assert client.get("/patients/P1/photos/compare?left=2").status_code == 404  # P2's visit


def _token(db_url: str, scope: str, username: str = "inv_bcn") -> dict[str, str]:
    """The Authorization header of a new API token of ``username`` with ``scope``."""
    import datetime as dt

    from clears.registry import Actor
    from clears.registry._engine import make_engine, transaction
    from clears.registry.tokens import create_token

    engine = make_engine(db_url)
    with transaction(engine) as session:
        secret, _ = create_token(
            session,
            actor=Actor.everywhere("setup"),
            username=username,
            label="photos",
            scope=scope,
            days=30,
            at=dt.datetime.now(dt.UTC),
        )
    engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.slow
def test_the_api_lists_uploads_and_fetches_with_token_scopes(
    make_client: Client, db_url: str
) -> None:
    def token(scope: str) -> dict[str, str]:
        return _token(db_url, scope)

    client = make_client()
    api = "/api/patients/P1/visits/1/photos"
    files = {"photo": ("x.jpg", gps_jpeg(), "image/jpeg")}
    read, write = token("read"), token("write")
    refused = client.post(api, files=files, data={"area": "scalp"}, headers=read)
    assert refused.status_code == 403
    added = client.post(api, files=files, data={"area": "scalp", "caption": "c"}, headers=write)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["area"] == "scalp"
    assert body["caption"] == "c"
    assert body["visit_id"] == 1
    assert body["image_url"] == f"/api/photos/{body['id']}/image"
    assert "sha256" not in body
    assert "P1" not in body["image_url"]
    listed = client.get(api, headers=read)
    assert [p["id"] for p in listed.json()] == [body["id"]]
    image = client.get(body["image_url"], headers=read)
    assert image.status_code == 200
    assert dict(Image.open(io.BytesIO(image.content)).getexif()) == {}
    small = client.get(f"{body['image_url']}?thumbnail=true", headers=read)
    assert small.status_code == 200
    assert len(small.content) < len(image.content) * 2
    bad = client.post(api, files={"photo": ("n.txt", b"text", "text/plain")}, headers=write)
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "photo"
    assert "JPEG, PNG, WebP or TIFF" in bad.json()["problems"][0]["allowed"]
    assert client.get("/api/patients/P2/visits/2/photos", headers=read).status_code == 404
    assert len(_files(db_url)) == 2


@pytest.mark.slow
def test_the_api_removes_with_the_version_and_a_reason(make_client: Client, db_url: str) -> None:
    client = make_client()
    api = "/api/patients/P1/visits/1/photos"
    write, read = _token(db_url, "write"), _token(db_url, "read")
    files = {"photo": ("x.jpg", gps_jpeg(), "image/jpeg")}
    photo = client.post(api, files=files, headers=write).json()
    removal = f"/api/photos/{photo['id']}/removal"
    assert client.post(removal, json={"version": 1, "reason": "x"}, headers=read).status_code == 403
    lyo = _token(db_url, "write", "inv_lyo")
    assert client.post(removal, json={"version": 1, "reason": "x"}, headers=lyo).status_code == 404
    blank = client.post(removal, json={"version": 1, "reason": ""}, headers=write)
    assert blank.status_code == 422
    assert "reason" in blank.text
    stale = client.post(removal, json={"version": 2, "reason": "blurred"}, headers=write)
    assert stale.status_code == 409
    assert "version 2, now 1" in stale.text
    done = client.post(removal, json={"version": 1, "reason": "wrong patient"}, headers=write)
    assert done.status_code == 200, done.text
    removed = done.json()
    assert (removed["removed_by"], removed["removal_reason"]) == ("inv_bcn", "wrong patient")
    assert removed["version"] == 2
    again = client.post(removal, json={"version": 1, "reason": "blurred"}, headers=write)
    assert again.status_code == 409
    assert "already removed by inv_bcn" in again.text
    assert client.get(api, headers=read).json() == []
    assert client.get(photo["image_url"], headers=read).status_code == 404


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    with served(app_for(db_url, password_hash)) as url:
        yield url


def test_in_a_browser_an_upload_shows_its_thumbnail(chromium: str, server: str) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page()
        page.goto(f"{server}/login")
        page.fill("#username", "entry_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        page.goto(f"{server}/patients/P1")
        page.locator("#table-visits a.visit-photos").first.click()
        expect(page.locator("h1")).to_contain_text("Photographs")
        image = Image.new("RGB", (480, 360), (205, 120, 110))
        image.paste((150, 40, 50), (180, 120, 300, 240))  # a darker plaque in the middle
        out = io.BytesIO()
        image.save(out, format="JPEG")
        upload = {"name": "cheek.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}
        page.set_input_files("#field-photo", files=[upload])
        page.select_option("#field-area", "nose_malar")
        page.fill("#field-caption", "malar plaque, baseline")
        page.click("#upload")
        thumb = page.locator("#visit-photos img").first
        expect(thumb).to_be_visible()
        assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
        page.screenshot(path=str(shots / "08-visit-photos.png"), full_page=True)
        page.goto(f"{server}/patients/P1")
        strip = page.locator("#photos img").first
        strip.scroll_into_view_if_needed()  # the strip's thumbnails load lazily
        expect(strip).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.querySelector('#photos img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        expect(page.locator("#photos")).to_contain_text("malar plaque, baseline")
        page.locator("#photos").screenshot(path=str(shots / "08-photos-strip.png"))
        page.click("#photos >> text=compare visits")
        expect(page.locator("#side-1 img")).to_have_count(1)
        page.screenshot(path=str(shots / "09-photos-compare.png"), full_page=True)


def test_a_signed_visit_refuses_an_upload_keeping_the_form_and_storing_nothing(
    bcn: tuple[TestClient, str], db_url: str
) -> None:
    client, csrf = bcn
    visit = client.get("/api/patients/P1/records/visits").json()[0]
    signed = client.post(
        f"/api/patients/P1/visits/{visit['id']}/sign",
        json={"meaning": "review", "password": PASSWORD, "version": visit["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert signed.status_code == 201, signed.text
    refused = _upload(client, csrf, gps_jpeg(), caption="left temple, week 4")
    assert refused.status_code == 422
    assert f"visit {visit['id']} was signed by inv_bcn" in refused.text
    assert "an administrator must unlock it" in refused.text
    assert 'value="left temple, week 4"' in refused.text
    assert _files(db_url) == []
