"""Per-patient outcomes derived from cohort tables under named criteria presets.

:func:`derive` gives one row per patient × preset (columns in :data:`COLUMNS`, documented in
``docs/outcomes.md``); :func:`summarise` counts and proportions per preset; :func:`compare`
shows the same patients side by side under several presets.
"""

from clears.outcomes._baseline import BASELINE_WINDOW_DAYS
from clears.outcomes._derive import COLUMNS, derive
from clears.outcomes._summary import compare, summarise

__all__ = ["BASELINE_WINDOW_DAYS", "COLUMNS", "compare", "derive", "summarise"]
