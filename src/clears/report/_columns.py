"""The cohort columns the study report reads, for a source that can read fewer.

The report reads every column of the patients (Table 1, SLE status), treatments, adverse
events and flares, but of the visits only their dates, the CLASI-A, CLASI-D and SLEDAI-2K
totals (outcomes, time course, flares, baseline SLEDAI-2K) and the 24 SLEDAI descriptors
(baseline SELENA-SLEDAI, scored from them), and nothing of the concomitant medications.
:data:`REPORT_COLUMNS` names the optional columns of those two tables it reads (the
required ones always come), so the registry export
(:func:`clears.registry.exporter.export_cohort`, ``columns=``) need not fetch the CLASI item
columns of every visit. The report of a cohort cut down to these columns is the report of
the whole cohort (tests/report/test_report_columns.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from clears.instruments.sledai import DEFINITION as _SLEDAI

__all__ = ["REPORT_COLUMNS"]

#: Table -> the optional columns of it the report reads; tables not named are read whole.
REPORT_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "visits": ("clasi_a", "clasi_d", "sledai", *_SLEDAI.columns),
        "concomitant_medications": (),
    }
)
