"""Named, versioned presets of published response, relapse and flare definitions.

Bundled presets (:data:`PRESETS`): ``aitmehdi2021``, ``braunstein2012``, ``clasi50``,
``cortes2012``, ``klein2011``. Write your own as a small TOML file (``docs/criteria.md``) and
read it with :func:`load`.
"""

from clears.criteria._classify import CATEGORIES, classify_response, rank_response
from clears.criteria._load import BUNDLED, PRESETS, get, load, parse, resolve
from clears.criteria._preset import LevelRule, Preset, RelapseRule, ResponseRule

__all__ = [
    "BUNDLED",
    "CATEGORIES",
    "PRESETS",
    "LevelRule",
    "Preset",
    "RelapseRule",
    "ResponseRule",
    "classify_response",
    "get",
    "load",
    "parse",
    "rank_response",
    "resolve",
]
