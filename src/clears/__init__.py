"""clears: Cutaneous Lupus Erythematosus Assessment, Response & Safety.

Scoring instruments (CLASI, SLEDAI-2K, flare rules, CTCAE v5.0), published response
criteria, outcome derivation, analysis and a registry for lenalidomide and thalidomide in
refractory cutaneous lupus erythematosus. Subpackages are imported on use::

    from clears.instruments import clasi
"""

from clears._exceptions import (
    ClearsError,
    ConflictError,
    ConvergenceError,
    InputError,
    NotFoundError,
    Problem,
    ScoringError,
    StatisticalWarning,
)
from clears._version import __version__

__all__ = [
    "ClearsError",
    "ConflictError",
    "ConvergenceError",
    "InputError",
    "NotFoundError",
    "Problem",
    "ScoringError",
    "StatisticalWarning",
    "__version__",
]
