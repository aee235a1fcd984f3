"""Write the registry in one export format, de-identified first when asked.

Every export folder gets ``export.json``: the format, the clears version, the source, the
number of patients and, for a de-identified export, the method and the columns dropped (never
the salt or the seed).

An identified export given the registry's signatures
(:func:`clears.registry.signatures.export_signatures`), when there is at least one, also
holds them as ``signatures.csv``, in every format, so the signed records carry the
manifestation of their signatures — signer, time and meaning — outside the registry too
(21 CFR Part 11 §11.50(b)). A de-identified export leaves them out (they name patients
and real times) and its manifest says so.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clears._version import __version__
from clears.cohort import Cohort, SiteFields, write
from clears.registry.exports.deidentify import deidentify

__all__ = ["MANIFEST", "Format", "write_export"]

#: Name of the description written with every export.
MANIFEST = "export.json"


class Format(StrEnum):
    """Formats of ``clears export``."""

    csv = "csv"
    parquet = "parquet"
    redcap = "redcap"
    fhir = "fhir"
    sdtm = "sdtm"


def write_export(
    cohort: Cohort,
    out: str | Path,
    *,
    format: Format | str = Format.csv,
    deidentified: bool = False,
    salt: str | None = None,
    seed: int | None = None,
    study: str = "CLEARS",
    signatures: pd.DataFrame | None = None,
    site_fields: SiteFields | None = None,
) -> Path:
    """Write ``cohort`` into the folder ``out`` in ``format``; return the folder.

    Parameters
    ----------
    cohort
        An exported cohort (:func:`clears.registry.exporter.export_cohort`).
    format
        ``csv``/``parquet`` (cohort tables), ``redcap`` (flat records), ``fhir`` (R4B
        bundle) or ``sdtm`` (SDTM-shaped DM/EX/LB/AE).
    deidentified
        Apply :func:`~clears.registry.exports.deidentify.deidentify` first.
    salt, seed
        Salt of the identifier hashes and seed of the date offsets (default: random, and
        written nowhere).
    study
        ``STUDYID`` of the SDTM tables.
    signatures
        The signatures of the exported records, written as ``signatures.csv`` (when there
        is any) unless the export is de-identified (see the module docstring).
    site_fields
        The declared site-defined fields, whose coded, numeric and date values a
        de-identified export keeps (the site-fields file, ``CLEARS_SITE_FIELDS``).
    """
    chosen = Format(format)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": chosen.value,
        "clears": __version__,
        "source": cohort.source,
        "patients": cohort.n_patients,
        "deidentified": deidentified,
    }
    if deidentified:
        done = deidentify(
            cohort, rng=np.random.default_rng(seed), salt=salt, site_fields=site_fields
        )
        cohort = done.cohort
        manifest["method"] = done.method
        manifest["dropped"] = {t: list(names) for t, names in done.dropped.items() if names}
        manifest["source"] = "registry (de-identified)"
    if chosen in (Format.csv, Format.parquet):
        write(cohort, folder, format="csv" if chosen is Format.csv else "parquet")
    elif chosen is Format.redcap:
        from clears.registry.exports.redcap_flat import write_redcap

        write_redcap(cohort, folder)
    elif chosen is Format.fhir:
        from clears.registry.exports.fhir import write_fhir

        write_fhir(cohort, folder)
    else:
        from clears.registry.exports.sdtm import write_sdtm

        write_sdtm(cohort, folder, study=study)
    if signatures is not None and len(signatures):
        from clears.registry.signatures import EXPORT_FILE

        if deidentified:
            manifest["signatures"] = "left out of a de-identified export"
        else:
            signatures.to_csv(folder / EXPORT_FILE, index=False)
            manifest["signatures"] = {"file": EXPORT_FILE, "rows": len(signatures)}
    text = json.dumps(manifest, indent=2, ensure_ascii=False)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return folder
