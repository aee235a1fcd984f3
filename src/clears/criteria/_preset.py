"""The shape of a criteria preset: response levels, assessment week, relapse rule.

A preset is plain data (frozen dataclasses) with the published source next to it. Bundled
presets live as TOML files in ``clears/data/criteria/``; users write their own in the same
format (see ``docs/criteria.md``) and load them with :func:`clears.criteria.load`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from clears.instruments import Reference

__all__ = [
    "ASSESSMENT_RULES",
    "COMBINE_MODES",
    "LEVEL_NAMES",
    "RELAPSE_SETTINGS",
    "LevelRule",
    "Preset",
    "RelapseRule",
    "ResponseRule",
]

#: Response levels a preset may define, lowest first (``complete`` is a ceiling on CLASI-A).
LEVEL_NAMES: Final = ("minimal", "partial", "complete")
#: How the points and percent parts of a level combine.
COMBINE_MODES: Final = ("any", "all")
#: How the response at the assessment week is read: the visit nearest the week, or the best
#: response at any visit up to the week.
ASSESSMENT_RULES: Final = ("at", "by")
#: When a worsening counts as a relapse: at any time after the response, only on a lower dose
#: than at the response or off drug, or only off drug.
RELAPSE_SETTINGS: Final = ("any", "taper_or_withdrawal", "withdrawal")

Combine = Literal["any", "all"]
AssessmentRule = Literal["at", "by"]
RelapseSetting = Literal["any", "taper_or_withdrawal", "withdrawal"]
LevelName = Literal["minimal", "partial", "complete"]


@dataclass(frozen=True, slots=True)
class LevelRule:
    """A decrease in CLASI-A from baseline that reaches one response level.

    Parameters
    ----------
    points
        Decrease of at least this many points (``None``: no points part).
    percent
        Decrease of at least this percentage of baseline (``None``: no percent part).
        Undefined when baseline CLASI-A is 0.
    combine
        ``"any"``: either part is enough; ``"all"``: both parts are needed.
    """

    points: float | None = None
    percent: float | None = None
    combine: Combine = "any"


@dataclass(frozen=True, slots=True)
class ResponseRule:
    """How a follow-up CLASI-A is classified against baseline.

    Parameters
    ----------
    minimal, partial
        Decrease needed for a minimal or a partial response (``None``: level not defined).
    complete_max
        CLASI-A at or below this value is a complete response (``None``: not defined).
    baseline_min
        Patients whose baseline CLASI-A is below this are not evaluable (``None``: no minimum).
    assessment_week
        Week after the index date at which the preset's primary response is read
        (``None``: the preset has no fixed assessment week).
    assessment_rule
        ``"at"``: the visit nearest the week within ``assessment_window_days``;
        ``"by"``: the best response at any visit up to the week plus the window.
    assessment_window_days
        Tolerance around the assessment week, in days.
    """

    minimal: LevelRule | None = None
    partial: LevelRule | None = None
    complete_max: float | None = None
    baseline_min: float | None = None
    assessment_week: int | None = None
    assessment_rule: AssessmentRule = "at"
    assessment_window_days: int = 14

    @property
    def uses_percent(self) -> bool:
        """True when any level has a percent part (baseline 0 is then not evaluable)."""
        return any(
            level is not None and level.percent is not None
            for level in (self.minimal, self.partial)
        )

    @property
    def levels(self) -> tuple[LevelName, ...]:
        """The levels this rule defines, lowest first."""
        defined: list[LevelName] = []
        if self.minimal is not None:
            defined.append("minimal")
        if self.partial is not None:
            defined.append("partial")
        if self.complete_max is not None:
            defined.append("complete")
        return tuple(defined)


@dataclass(frozen=True, slots=True)
class RelapseRule:
    """A cutaneous relapse after a response.

    A visit after the first response of level ``after`` is a relapse when its CLASI-A is at
    least ``min_score`` (if given) and has risen at least ``min_rise`` points above the lowest
    CLASI-A since that response (if given), in the allowed ``setting``.

    Parameters
    ----------
    after
        The response level that must come first.
    min_score
        Absolute CLASI-A threshold (Cortés-Hernández 2012: a new CLASI-A ≥ 4).
    min_rise
        Rise above the post-response nadir, in points.
    setting
        ``"any"``, ``"taper_or_withdrawal"`` (dose lower than at the response, or off drug)
        or ``"withdrawal"`` (off drug only).
    """

    after: LevelName = "complete"
    min_score: float | None = None
    min_rise: float | None = None
    setting: RelapseSetting = "any"


@dataclass(frozen=True, slots=True)
class Preset:
    """A named, versioned set of published outcome definitions.

    Parameters
    ----------
    name
        Short identifier (``aitmehdi2021``); lower-case letters, digits and underscores.
    version
        Version of this preset's encoding; bumped whenever a threshold changes.
    title
        One line saying what the preset is.
    reference
        The published source of the definitions.
    response
        Response levels and assessment week.
    relapse
        Relapse definition, or ``None`` when the source defines none.
    flare_rule
        Name of the SLE flare rule the source used (``"sfi"``, ``"cortes2012"``) or ``None``.
    notes
        How the source's wording was read where it was ambiguous.
    """

    name: str
    version: str
    title: str
    reference: Reference
    response: ResponseRule
    relapse: RelapseRule | None = None
    flare_rule: str | None = None
    notes: str = ""

    @property
    def label(self) -> str:
        """``name@version``, the form written into every outcome row."""
        return f"{self.name}@{self.version}"
