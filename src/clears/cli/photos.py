"""``clears photos ...``: list, add, remove and sweep clinical photographs, and export them
without metadata under pseudonymous names.

Run by whoever runs the server (acting network-wide, audited under their login name). The
photo store's folder is ``--photo-root``, else ``$CLEARS_PHOTO_ROOT``, else ``photos/``
beside a SQLite registry file (docs/photographs.md).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from clears.registry import Actor
    from clears.registry.photos import Photo, PhotoStore

__all__ = ["add", "app", "export", "list_", "remove", "sweep"]

app = typer.Typer(
    help="List, add, remove and sweep clinical photographs; export them de-identified.",
    no_args_is_help=True,
)

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--photo-root",
        help="Folder of the photo store (default: $CLEARS_PHOTO_ROOT, else photos/ beside "
        "a SQLite file).",
        show_default=False,
    ),
]


def _actor() -> Actor:
    from clears.registry import Actor

    return Actor.everywhere(getpass.getuser())


def _store(db: str | None, root: Path | None) -> PhotoStore:
    from clears.registry.photos import photo_store

    return photo_store(db, root)


def _line(photo: Photo) -> str:
    area = photo.area or "-"
    removed = (
        f"  removed {photo.removed_at:%Y-%m-%d} ({photo.removal_reason})" if photo.removed else ""
    )
    return (
        f"{photo.id:>5}  {photo.patient_id}  visit {photo.visit_id} {photo.visit_date}  "
        f"{area}  {photo.width}x{photo.height}  {photo.byte_size:,} B  v{photo.version}  "
        f"{photo.caption or ''}{removed}"
    )


@app.command("list")
def list_(
    patient: Annotated[str, typer.Argument(help="Patient identifier.")],
    removed: Annotated[bool, typer.Option("--removed", help="Include removed ones.")] = False,
    db: DbOption = None,
) -> None:
    """List a patient's photographs, by visit date."""
    from clears.cli.users import _registry
    from clears.registry.photos import list_photos

    with _registry(db, write=False) as session:
        photos = list_photos(session, actor=_actor(), patient_id=patient, removed=removed)
    typer.echo(f"{len(photos)} photograph(s) of {patient}")
    for photo in photos:
        typer.echo(_line(photo))


@app.command("add")
def add(
    visit: Annotated[int, typer.Argument(help="The visit's record number.")],
    file: Annotated[Path, typer.Argument(help="The image file (JPEG, PNG, WebP or TIFF).")],
    area: Annotated[
        str | None, typer.Option("--area", help="CLASI area (scalp, ears, ...).")
    ] = None,
    caption: Annotated[str | None, typer.Option("--caption", help="A short caption.")] = None,
    view: Annotated[str | None, typer.Option("--view", help="The view (close-up ...).")] = None,
    db: DbOption = None,
    photo_root: RootOption = None,
) -> None:
    """Attach a photograph to a visit: re-encoded without metadata, stored once."""
    from clears.cli.users import _registry
    from clears.registry.photos import DEFAULT_MAX_BYTES, add_photo

    store = _store(db, photo_root)
    with file.open("rb") as handle:  # never more than the limit and one byte
        data = handle.read(DEFAULT_MAX_BYTES + 1)
    with _registry(db) as session:
        photo = add_photo(
            session,
            actor=_actor(),
            store=store,
            visit_id=visit,
            data=data,
            area=area,
            caption=caption,
            view=view,
        )
    typer.echo(f"added {_line(photo)}")


@app.command("remove")
def remove(
    photo_id: Annotated[int, typer.Argument(help="The photograph's number (clears photos list).")],
    version: Annotated[int, typer.Option("--version", help="The version listed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is removed.")],
    db: DbOption = None,
) -> None:
    """Remove a photograph (softly: its row and file stay, with who, when and why)."""
    from clears.cli.users import _registry
    from clears.registry.photos import remove_photo

    with _registry(db) as session:
        photo = remove_photo(
            session, actor=_actor(), photo_id=photo_id, version=version, reason=reason
        )
    typer.echo(f"removed {_line(photo)}")


@app.command("sweep")
def sweep(
    delete: Annotated[
        bool, typer.Option("--delete", help="Delete the orphan files (default: only list).")
    ] = False,
    grace: Annotated[
        float, typer.Option("--grace-seconds", help="Ignore files newer than this.")
    ] = 3600.0,
    db: DbOption = None,
    photo_root: RootOption = None,
) -> None:
    """Find photo files no row names (an upload that died between file and row) and rows
    whose file is missing; exit 1 when a file is missing."""
    from clears.cli.users import _registry
    from clears.registry.photos import sweep as sweep_store

    store = _store(db, photo_root)
    with _registry(db, write=False) as session:
        found = sweep_store(session, store=store, remove=delete, grace_seconds=grace)
    verb = "deleted" if delete else "found"
    typer.echo(f"{verb} {len(found.orphans)} orphan file(s), {len(found.leftovers)} leftover(s)")
    for digest in found.orphans:
        typer.echo(f"  orphan {store.path(digest)}")
    for path in found.leftovers:
        typer.echo(f"  leftover {path}")
    if found.missing:
        ids = ", ".join(str(i) for i in found.missing)
        typer.echo(f"missing files of photograph(s) {ids}", err=True)
        raise typer.Exit(1)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into (new).")],
    salt: Annotated[
        str | None,
        typer.Option("--salt", help="The salt of the cohort export's patient pseudonyms."),
    ] = None,
    db: DbOption = None,
    photo_root: RootOption = None,
) -> None:
    """Export every photograph re-encoded without metadata, named by a pseudonymous key,
    with a manifest (key, patient pseudonym, area, view, days from the patient's first
    photograph); no caption, no date, no original name."""
    from clears.cli.users import _registry
    from clears.registry.photos import export_photos

    store = _store(db, photo_root)
    with _registry(db, write=False) as session:
        count = export_photos(session, actor=_actor(), store=store, out=out, salt=salt)
    typer.echo(f"exported {count} photograph(s) to {out}")
