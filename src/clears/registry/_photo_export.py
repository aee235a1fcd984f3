"""Photographs for a de-identified export: re-encoded without metadata, named by a key.

Never part of an export unless asked (``clears photos export``). Each photograph of the
actor's centres that was not removed is decoded from the store and encoded again
(:func:`clears.registry._photo_image.clean_image`, so even a file written before a change of
the cleaning rules leaves without metadata), and written as
``<key>.jpg``, where the key is SHA-256 of the salt, 0x1F, ``photo`` and the row id (hex,
first 32 digits): not the original file name, not the content digest (which anyone
holding the image could recompute), not a date. ``manifest.csv`` lists per key the
patient's pseudonym (the same function and salt as the cohort export's,
:func:`clears.registry.exports.deidentify.pseudonym`), the CLASI area, the view and the
days since the patient's first photographed visit; never the caption (free text), a date
or who uploaded it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import secrets
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session

from clears.registry._actor import Actor
from clears.registry._photo_image import MAX_PIXELS_CEILING, clean_image
from clears.registry._photo_store import PhotoStore
from clears.registry.exports.deidentify import pseudonym

__all__ = ["MANIFEST", "export_photos", "photo_key"]

#: The manifest's file name and columns.
MANIFEST: Final = "manifest.csv"
_COLUMNS: Final = ("key", "patient_id", "area", "view", "day")


def photo_key(photo_id: int, salt: str) -> str:
    """The exported name of photograph ``photo_id`` under ``salt``.

    Examples
    --------
    >>> photo_key(7, "s") == hashlib.sha256(b"s\\x1fphoto7").hexdigest()[:32]
    True
    """
    return hashlib.sha256(f"{salt}\x1fphoto{photo_id}".encode()).hexdigest()[:32]


def export_photos(
    session: Session, *, actor: Actor, store: PhotoStore, out: Path, salt: str | None = None
) -> int:
    """Write the actor's photographs into the new folder ``out`` (see the module); return
    how many. ``salt`` default: 32 random bytes, forgotten after the call."""
    from clears.registry.patients import list_patients
    from clears.registry.photos import list_photos

    secret = salt if salt is not None else secrets.token_hex(32)
    out.mkdir(parents=True, exist_ok=False)
    rows: list[dict[str, object]] = []
    for patient_id in list_patients(session, actor=actor):
        photos = list_photos(session, actor=actor, patient_id=patient_id)
        if not photos:
            continue
        first = photos[0].visit_date
        for photo in photos:
            stored = store.read(photo.sha256)
            again = clean_image(stored, max_bytes=len(stored), max_pixels=MAX_PIXELS_CEILING)
            key = photo_key(photo.id, secret)
            target = out / f"{key}.jpg"
            target.write_bytes(again.data)
            os.utime(target, (0, 0))  # no upload time left in the file's dates either
            rows.append(
                {
                    "key": key,
                    "patient_id": pseudonym(photo.patient_id, secret),
                    "area": photo.area or "",
                    "view": photo.view or "",
                    "day": (photo.visit_date - first).days,
                }
            )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: str(r["key"])))
    (out / MANIFEST).write_text(text.getvalue(), encoding="utf-8")
    return len(rows)
