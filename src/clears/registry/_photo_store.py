"""The photo store: clean JPEG files on disk, each named by the SHA-256 of its bytes.

A photograph lives at ``<root>/ab/cd/<sha256>.jpg`` (``ab`` and ``cd`` are the digest's
first two and next two hex digits, so no folder holds more than a few hundred files), its
thumbnail beside it as ``<sha256>.thumb.jpg``. The same bytes are stored once however many
rows name them. Each file is written to a temporary name in its folder, flushed and
``fsync``-ed, then renamed over its final name (``os.replace`` is atomic on POSIX) and the
folder ``fsync``-ed: a reader sees the whole file or none. The registry writes the file
first and the database row second (:mod:`clears.registry.photos`), so a process that dies
between the two leaves only an unnamed file, never a row without its file; :meth:`orphans`
finds those files and ``clears photos sweep`` removes them.

The root is a setting (``CLEARS_PHOTO_ROOT``); without one, a SQLite registry keeps its
photographs in ``photos/`` beside its file, and any other database needs the setting
(:func:`photo_root`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from clears.registry._engine import parse_url, resolve_url, sqlite_path

__all__ = ["ENV_VAR", "PhotoStore", "PhotoStoreError", "photo_root", "photo_store"]

#: The environment variable naming the photo store's folder.
ENV_VAR: Final = "CLEARS_PHOTO_ROOT"

_DIGEST: Final = re.compile(r"[0-9a-f]{64}")
_FULL: Final = ".jpg"
_THUMB: Final = ".thumb.jpg"
_TEMP_PREFIX: Final = ".incoming-"


class PhotoStoreError(Exception):
    """The photo store has no folder configured, or a digest is not a SHA-256."""


def photo_root(url: str | sa.URL, configured: str | Path | None) -> Path:
    """The photo store's folder: ``configured``, else ``photos/`` beside a SQLite file.

    Raises
    ------
    PhotoStoreError
        No folder configured for a database that is not a SQLite file.

    Examples
    --------
    >>> photo_root("sqlite:////srv/clears/clears.db", None).as_posix()
    '/srv/clears/photos'
    >>> photo_root("postgresql://db/clears", "/srv/photos").as_posix()
    '/srv/photos'
    """
    if configured is not None and str(configured).strip():
        return Path(configured)
    parsed = parse_url(url) if isinstance(url, str) else url
    database = sqlite_path(parsed)
    if database is None:
        raise PhotoStoreError(
            f"{ENV_VAR} (photo_root): the folder of the photo store must be set for a "
            f"{parsed.get_backend_name()} registry (only a SQLite file has a default: "
            "photos/ beside it)"
        )
    return Path(database).resolve().parent / "photos"


def photo_store(
    url: str | None,
    configured: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> PhotoStore:
    """The photo store of the registry at ``url`` (``None``: ``$CLEARS_DB_URL`` or the
    default file): its folder is ``configured`` (a ``--photo-root`` option, the web app's
    ``photo_root`` setting), else ``$CLEARS_PHOTO_ROOT``, else ``photos/`` beside a SQLite
    file (:func:`photo_root`). The command line and the web app both ask here, so the
    setting has one meaning.

    Raises
    ------
    PhotoStoreError
        No folder configured for a database that is not a SQLite file.

    Examples
    --------
    >>> photo_store("sqlite:////srv/clears/clears.db", environ={}).root.as_posix()
    '/srv/clears/photos'
    >>> env = {ENV_VAR: "/srv/photos"}
    >>> photo_store("postgresql://db/clears", environ=env).root.as_posix()
    '/srv/photos'
    """
    env = os.environ if environ is None else environ
    chosen = configured if configured is not None and str(configured).strip() else None
    return PhotoStore(photo_root(resolve_url(url, environ=env), chosen or env.get(ENV_VAR)))


def _checked(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise PhotoStoreError(f"{digest!r} is not a SHA-256 hex digest (64 of 0-9a-f)")
    return digest


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be opened
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@dataclass(frozen=True, slots=True)
class PhotoStore:
    """Content-addressed photograph files under ``root`` (created on first write)."""

    root: Path

    def path(self, digest: str, *, thumbnail: bool = False) -> Path:
        """Where the photograph (or its thumbnail) of ``digest`` is stored."""
        name = _checked(digest)
        return self.root / name[:2] / name[2:4] / (name + (_THUMB if thumbnail else _FULL))

    def has(self, digest: str) -> bool:
        """Whether both files of ``digest`` are stored."""
        return self.path(digest).is_file() and self.path(digest, thumbnail=True).is_file()

    def _write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_dir(target.parent)

    def put(self, digest: str, data: bytes, thumbnail: bytes) -> bool:
        """Store a photograph and its thumbnail under ``digest``; ``False`` when they were
        already there (nothing written). The thumbnail goes first, so a stored photograph
        always has its thumbnail."""
        if self.has(digest):
            return False
        self._write(self.path(digest, thumbnail=True), thumbnail)
        self._write(self.path(digest), data)
        return True

    def read(self, digest: str, *, thumbnail: bool = False) -> bytes:
        """The stored bytes of ``digest`` (``FileNotFoundError`` when absent)."""
        return self.path(digest, thumbnail=thumbnail).read_bytes()

    def digests(self) -> Iterator[str]:
        """Every digest with a stored photograph file, in no set order."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*" + _FULL):
            name = path.name.removesuffix(_FULL)
            if _DIGEST.fullmatch(name):
                yield name

    def leftovers(self) -> Iterator[Path]:
        """Temporary files of writes that never finished (a process that died mid-write)."""
        if self.root.is_dir():
            yield from self.root.glob(f"[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/{_TEMP_PREFIX}*")

    def orphans(self, named: set[str]) -> list[str]:
        """Stored digests that no row names (``named``), sorted."""
        return sorted(set(self.digests()) - named)

    def delete(self, digest: str) -> None:
        """Remove the photograph and thumbnail of ``digest`` (absent files are no error)."""
        for thumbnail in (False, True):
            with contextlib.suppress(FileNotFoundError):
                self.path(digest, thumbnail=thumbnail).unlink()
