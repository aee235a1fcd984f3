"""Cohort exports for the web app: any registry export format, zipped in memory.

The export is written by :func:`clears.registry.exports.writer.write_export` into a private
temporary folder (never the server's working directory), zipped into memory under
``clears-<format>/`` and the folder is removed before the response is sent. The cohort
passed in is already limited to the user's centres (:func:`clears.web._cohort.cohort_for`).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import pandas as pd

from clears.cohort import Cohort, SiteFields
from clears.registry.exports.writer import Format, write_export

__all__ = ["ExportFormat", "export_filename", "export_zip"]

#: The formats offered for download, as ``clears export`` names them
#: (:class:`clears.registry.exports.writer.Format`).
ExportFormat = Literal["csv", "parquet", "redcap", "fhir", "sdtm"]


def export_filename(format: str, *, deidentified: bool) -> str:
    """The download name of an export.

    Examples
    --------
    >>> export_filename("fhir", deidentified=True)
    'clears-fhir-deidentified.zip'
    >>> export_filename("csv", deidentified=False)
    'clears-csv.zip'
    """
    return f"clears-{format}{'-deidentified' if deidentified else ''}.zip"


def export_zip(
    cohort: Cohort,
    *,
    format: str,
    deidentified: bool,
    study: str = "CLEARS",
    signatures: pd.DataFrame | None = None,
    site_fields: SiteFields | None = None,
) -> bytes:
    """The export of ``cohort`` in ``format`` as the bytes of a zip archive.

    Every file of the export folder (including the ``export.json`` manifest) is stored under
    ``clears-<format>/`` with its path relative to the folder. A de-identified export uses
    a fresh random salt and date-offset seed each time (neither is written anywhere), so two
    downloads cannot be linked to each other or back to the registry.

    Parameters
    ----------
    cohort
        The cohort tables of the user's centres.
    format
        One of :data:`ExportFormat`.
    deidentified
        De-identify first (:func:`clears.registry.exports.deidentify.deidentify`).
    study
        ``STUDYID`` of an SDTM export.
    signatures
        The signatures of the exported records (``signatures.csv`` of an identified export,
        :func:`clears.registry.exports.writer.write_export`).
    site_fields
        The declared site-defined fields (what a de-identified export keeps of them).
    """
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="clears-export-") as folder:
        out = write_export(
            cohort,
            Path(folder) / "export",
            format=Format(format),
            deidentified=deidentified,
            study=study,
            signatures=signatures,
            site_fields=site_fields,
        )
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                archive.write(path, arcname=f"clears-{format}/{path.relative_to(out).as_posix()}")
    return buffer.getvalue()
