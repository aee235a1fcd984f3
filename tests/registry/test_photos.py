"""Clinical photographs in the registry: metadata stripped, refusals write nothing, one file
per content, access by centre, soft removal audited, sweep of orphans (SQLite and
PostgreSQL through the ``session`` fixture).

The reference for "no metadata" is Pillow reading the stored bytes back (``getexif()``, the
GPS IFD 0x8825 of Exif 2.32 section 4.6.6, ``info``); the reference for the stored digest is
``hashlib.sha256`` of the file on disk.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy.orm import Session
from tests._images import gps_jpeg
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.registry import RecordLockedError, audit
from clears.registry.photos import (
    PhotoStore,
    add_photo,
    export_photos,
    get_photo,
    list_photos,
    photo_bytes,
    recent_photos,
    remove_photo,
    sweep,
)
from clears.registry.records import add_record, lock_visit


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def visit(session: Session) -> int:
    two_centres(session)
    record = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-03-01"},
        today=TODAY,
    )
    return record.id


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos")


def test_the_test_image_has_gps_to_strip() -> None:
    # Without this the metadata test below could pass on an image that never had any.
    exif = Image.open(io.BytesIO(gps_jpeg())).getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert exif[ExifTags.Base.Artist] == "Jane Example"


def test_stored_photo_has_no_exif_gps_or_comment(
    session: Session, visit: int, store: PhotoStore
) -> None:
    photo = add_photo(
        session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg(), area="scalp"
    )
    stored = store.path(photo.sha256).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    for data in (stored, store.path(photo.sha256, thumbnail=True).read_bytes()):
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
        assert b"Jane" not in data
        assert b"SyntheticPhone" not in data
    # Orientation 6 applied before the tag was dropped: 64x48 is stored upright, 48x64.
    assert (photo.width, photo.height) == (48, 64)
    assert photo.media_type == "image/jpeg"
    assert photo.byte_size == len(stored)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n not an image", "is not a JPEG, PNG, WebP or TIFF image"),
        (b"", "is empty"),
        (gps_jpeg((200, 200))[:300], "truncated or damaged"),
        (b"\xff\xd8\xff" + b"\x00" * 2000, "truncated or damaged"),
    ],
)
def test_refused_uploads_write_nothing(
    session: Session, visit: int, store: PhotoStore, data: bytes, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        add_photo(session, actor=BCN, store=store, visit_id=visit, data=data)
    (problem,) = caught.value.problems
    assert problem.field == "photo"
    assert words in problem.message
    assert "JPEG, PNG, WebP or TIFF" in (problem.allowed or "")
    assert _files(store.root) == []
    assert list_photos(session, actor=BCN, patient_id="P1", removed=True) == []


def test_too_big_and_too_many_pixels_are_refused_naming_the_limit(
    session: Session, visit: int, store: PhotoStore
) -> None:
    data = gps_jpeg((100, 100))
    with pytest.raises(InputError) as caught:
        add_photo(
            session, actor=BCN, store=store, visit_id=visit, data=data, max_bytes=len(data) - 1
        )
    assert f"more than the {len(data) - 1:,} allowed" in caught.value.problems[0].message
    with pytest.raises(InputError) as caught:
        # 100 x 100 = 10,000 pixels, one over a limit of 9,999
        add_photo(session, actor=BCN, store=store, visit_id=visit, data=data, max_pixels=9_999)
    assert "10,000 pixels, more than the 9,999 allowed" in caught.value.problems[0].message
    assert _files(store.root) == []
    assert list_photos(session, actor=BCN, patient_id="P1", removed=True) == []


def test_an_unknown_area_and_a_long_caption_are_refused_with_the_image_problems(
    session: Session, visit: int, store: PhotoStore
) -> None:
    with pytest.raises(InputError) as caught:
        add_photo(
            session,
            actor=BCN,
            store=store,
            visit_id=visit,
            data=b"GIF89a",
            area="elbow",
            caption="x" * 201,
        )
    fields = {p.field: p for p in caught.value.problems}
    assert set(fields) == {"photo", "area", "caption"}
    assert "nose_malar" in (fields["area"].allowed or "")
    assert _files(store.root) == []


def test_the_same_image_twice_is_one_file_and_two_rows(
    session: Session, visit: int, store: PhotoStore
) -> None:
    first = add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg())
    second = add_photo(
        session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg(), area="ears"
    )
    assert first.sha256 == second.sha256
    assert first.id != second.id
    assert len(_files(store.root)) == 2  # the photograph and its thumbnail, once


def test_another_centre_gets_not_found_for_rows_and_bytes(
    session: Session, visit: int, store: PhotoStore
) -> None:
    photo = add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg())
    with pytest.raises(NotFoundError):
        get_photo(session, actor=LYO, photo_id=photo.id)
    with pytest.raises(NotFoundError):
        photo_bytes(session, actor=LYO, store=store, photo_id=photo.id)
    with pytest.raises(NotFoundError):
        list_photos(session, actor=LYO, patient_id="P1")
    with pytest.raises(NotFoundError):  # nor may LYO attach one to BCN's visit
        add_photo(session, actor=LYO, store=store, visit_id=visit, data=gps_jpeg((10, 10)))
    _, data = photo_bytes(session, actor=BCN, store=store, photo_id=photo.id)
    assert hashlib.sha256(data).hexdigest() == photo.sha256


def test_upload_and_removal_are_audited_and_removal_is_soft(
    session: Session, visit: int, store: PhotoStore
) -> None:
    photo = add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg())
    with pytest.raises(InputError):
        remove_photo(session, actor=BCN, photo_id=photo.id, version=1, reason=" ")
    with pytest.raises(ConflictError):
        remove_photo(session, actor=BCN, photo_id=photo.id, version=2, reason="wrong patient")
    removed = remove_photo(session, actor=BCN, photo_id=photo.id, version=1, reason="wrong patient")
    assert removed.removed_by == "dr_bcn"
    assert removed.version == 2
    assert list_photos(session, actor=BCN, patient_id="P1") == []
    assert [p.id for p in list_photos(session, actor=BCN, patient_id="P1", removed=True)] == [
        photo.id
    ]
    with pytest.raises(NotFoundError):
        photo_bytes(session, actor=BCN, store=store, photo_id=photo.id)
    # A colleague who read it before the removal and removes it too is told who removed it.
    with pytest.raises(ConflictError, match=r"already removed by dr_bcn on .* \(wrong patient\)"):
        remove_photo(session, actor=BCN, photo_id=photo.id, version=1, reason="blurred")
    assert store.has(photo.sha256)  # the file stays
    entries = [
        e for e in audit.history(session, actor=BCN, patient_id="P1") if e.entity == "photographs"
    ]
    assert [(e.action, e.actor) for e in entries] == [("insert", "dr_bcn"), ("update", "dr_bcn")]
    assert entries[1].reason == "wrong patient"
    assert audit.verify(session).ok


def test_sweep_finds_an_unnamed_file_and_keeps_named_ones(
    session: Session, visit: int, store: PhotoStore
) -> None:
    kept = add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg())
    orphan = hashlib.sha256(b"never named").hexdigest()
    store.put(orphan, b"x", b"y")  # as an upload killed between file and row leaves it
    assert sweep(session, store=store).orphans == ()  # too recent: maybe an upload under way
    found = sweep(session, store=store, grace_seconds=0)
    assert found.orphans == (orphan,)
    assert found.missing == ()
    sweep(session, store=store, remove=True, grace_seconds=0)
    assert not store.has(orphan)
    assert store.has(kept.sha256)
    store.delete(kept.sha256)
    assert sweep(session, store=store, grace_seconds=0).missing == (kept.id,)


def test_export_has_no_metadata_no_caption_and_pseudonymous_names(
    session: Session, visit: int, store: PhotoStore, tmp_path: Path
) -> None:
    add_photo(
        session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg(), caption="Jane's scalp"
    )
    out = tmp_path / "export"
    assert export_photos(session, actor=BCN, store=store, out=out, salt="s") == 1
    manifest = (out / "manifest.csv").read_text()
    assert "Jane" not in manifest
    assert "P1" not in manifest
    assert "2024" not in manifest
    (image,) = out.glob("*.jpg")
    with Image.open(image) as exported:
        assert dict(exported.getexif()) == {}
    # pseudonym of the cohort export: SHA-256(salt, 0x1F, id), docs/registry.md
    assert hashlib.sha256(b"s\x1fP1").hexdigest() in manifest


def test_the_store_folder_is_the_option_else_the_variable_else_beside_sqlite() -> None:
    # One meaning for the command line and the web app (clears.registry.photos.photo_store).
    from clears.registry.photos import ENV_VAR, PhotoStoreError, photo_store

    sqlite = "sqlite:////srv/c/clears.db"
    assert photo_store(sqlite, environ={}).root == Path("/srv/c/photos")
    assert photo_store(sqlite, environ={ENV_VAR: "/p"}).root == Path("/p")
    assert photo_store(sqlite, "/q", environ={ENV_VAR: "/p"}).root == Path("/q")
    assert photo_store(sqlite, " ", environ={ENV_VAR: "/p"}).root == Path("/p")
    with pytest.raises(PhotoStoreError, match=ENV_VAR):
        photo_store("postgresql://db/clears", environ={})


def test_recent_photos_are_a_bounded_page_newest_first(
    session: Session, visit: int, store: PhotoStore
) -> None:
    later = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-06-01"},
        today=TODAY,
    ).id
    made = [
        add_photo(
            session, actor=BCN, store=store, visit_id=v, data=gps_jpeg(colour=(n, 9, 9)), area=area
        )
        for n, (v, area) in enumerate([(visit, "scalp"), (later, "scalp"), (later, "ears")])
    ]
    ids = [p.id for p in recent_photos(session, actor=BCN, patient_id="P1", limit=10)]
    assert ids == [made[2].id, made[1].id, made[0].id]  # June before March; later upload first
    assert [
        p.id for p in recent_photos(session, actor=BCN, patient_id="P1", limit=1, offset=1)
    ] == [made[1].id]
    scalp = recent_photos(session, actor=BCN, patient_id="P1", limit=10, area="scalp")
    assert [p.id for p in scalp] == [made[1].id, made[0].id]
    first = recent_photos(session, actor=BCN, patient_id="P1", limit=10, visit_ids=(visit,))
    assert [p.id for p in first] == [made[0].id]
    remove_photo(session, actor=BCN, photo_id=made[2].id, version=1, reason="blurred")
    assert len(recent_photos(session, actor=BCN, patient_id="P1", limit=10)) == 2
    with pytest.raises(NotFoundError):
        recent_photos(session, actor=LYO, patient_id="P1", limit=10)
    with pytest.raises(ValueError, match="limit"):
        recent_photos(session, actor=BCN, patient_id="P1", limit=0)


def test_a_locked_visit_takes_no_photograph_and_loses_none(
    session: Session, visit: int, store: PhotoStore
) -> None:
    # A photograph is part of its visit's record: once the visit is locked (or signed, which
    # locks it), adding or removing one would change what was locked.
    kept = add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg())
    files = _files(store.root)
    lock_visit(session, actor=BCN, record_id=visit, version=1, reason="monitored", today=TODAY)
    with pytest.raises(RecordLockedError, match=f"visit {visit} is locked"):
        add_photo(session, actor=BCN, store=store, visit_id=visit, data=gps_jpeg((80, 60)))
    with pytest.raises(RecordLockedError, match=f"visit {visit} is locked"):
        remove_photo(session, actor=BCN, photo_id=kept.id, version=1, reason="blurred")
    assert _files(store.root) == files
    assert [p.id for p in list_photos(session, actor=BCN, patient_id="P1", removed=True)] == [
        kept.id
    ]
    assert not get_photo(session, actor=BCN, photo_id=kept.id).removed
