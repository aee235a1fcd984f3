"""Human labels for what the report prints: presets, outcomes, subgroups, levels, yes/no.

The analyses keep stable keys (``aitmehdi2021@1.0``, ``best_response:partial``,
``baseline_severity``, ``True``); a clinician reading the report sees the words those keys
stand for, taken from the definitions: a criteria preset's title (its source and year), the
response categories of :data:`clears.criteria.CATEGORIES`, the CLASI-A severity bands of
:data:`clears.instruments.clasi.SEVERITY_BANDS` (Klein 2011) and the outcome descriptions of
docs/outcomes.md. A key with no label here is shown with its underscores as spaces, so a new
outcome is readable before it is named.

References
----------
Klein R, et al. Development of the CLASI as a tool to measure the response to therapy in
cutaneous lupus erythematosus. Arch Dermatol 2011;147(2):203-8.
doi:10.1001/archdermatol.2010.435 (severity bands mild 0-9, moderate 10-20, severe 21-70).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from clears.criteria import Preset

__all__ = [
    "CATEGORY_LABELS",
    "OUTCOME_LABELS",
    "humanise",
    "level_label",
    "outcome_label",
    "preset_labels",
    "severity_label",
    "subgroup_label",
    "yes_no",
]

#: Response categories (:data:`clears.criteria.CATEGORIES`) as a clinician says them.
CATEGORY_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "not_evaluable": "not evaluable",
        "none": "no response",
        "minimal": "minimal response",
        "partial": "partial response",
        "complete": "complete response",
    }
)

#: Outcome keys of :func:`clears.outcomes.summarise` (docs/outcomes.md), with their
#: denominators named as the summary counts them.
OUTCOME_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "patients": "Patients treated",
        "evaluable": "Evaluable for response",
        "relapse": "Relapse (among patients who reached the response the criteria require)",
        "sustained_dose_reduction": "Sustained dose reduction",
        "stopped_in_cr_without_relapse": "Stopped in complete response, without relapse",
        "discontinued": "Treatment discontinued",
        "sle_flare": "SLE flare (among patients with SLE)",
        "sle_flare_severe": "Severe SLE flare (among patients with SLE)",
        "new_sle": "New SLE diagnosis (among patients with isolated CLE)",
    }
)

_PREFIXES: Final = {
    "best_response": "Best response",
    "response_at_assessment": "Response at the assessment week",
}

_SUBGROUPS: Final = {
    "overall": "All patients",
    "baseline_severity": "CLASI-A severity (Klein 2011)",
    "sle": "SLE",
}

_YEAR: Final = re.compile(r"^(.*?\b(?:19|20)\d\d)\b")


def humanise(key: str) -> str:
    """``key`` with underscores as spaces and a capital first letter.

    Examples
    --------
    >>> humanise("time_to_partial")
    'Time to partial'
    """
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def yes_no(value: object) -> str:
    """``"Yes"``/``"No"`` for a true/false value (also its text), else the value as text.

    Examples
    --------
    >>> yes_no(True), yes_no("False"), yes_no("DLE")
    ('Yes', 'No', 'DLE')
    """
    text = str(value)
    return {"True": "Yes", "False": "No"}.get(text, text)


def outcome_label(key: str) -> str:
    """The label of a :func:`clears.outcomes.summarise` outcome key.

    Examples
    --------
    >>> outcome_label("best_response:not_evaluable")
    'Best response: not evaluable'
    >>> outcome_label("new_sle")
    'New SLE diagnosis (among patients with isolated CLE)'
    """
    if key in OUTCOME_LABELS:
        return OUTCOME_LABELS[key]
    prefix, sep, category = key.partition(":")
    if sep and prefix in _PREFIXES:
        return f"{_PREFIXES[prefix]}: {CATEGORY_LABELS.get(category, humanise(category).lower())}"
    return humanise(key.replace(":", " "))


def severity_label(band: str) -> str:
    """A CLASI-A severity band with its CLASI-A range (Klein 2011), e.g. ``Mild (0–9)``."""
    from clears.instruments.clasi import SEVERITY_BANDS

    for known in SEVERITY_BANDS:
        if known.name == band:
            return f"{humanise(band)} ({known.low:g}–{known.high:g})"
    return humanise(band)


def subgroup_label(subgroup: str) -> str:
    """The label of a :func:`clears.analysis.response_rates` subgroup column."""
    return _SUBGROUPS.get(subgroup, humanise(subgroup))


def level_label(subgroup: str, level: object) -> str:
    """The label of one level of a subgroup (``all``, a severity band, SLE yes/no)."""
    text = str(level)
    if subgroup == "overall":
        return ""
    if subgroup == "baseline_severity":
        return severity_label(text)
    if subgroup == "sle":
        return {"True": "With SLE", "False": "Isolated CLE"}.get(text, text)
    return yes_no(text)


def _short(preset: Preset) -> str:
    head = preset.title.split(":")[0].strip()
    year = _YEAR.match(head)
    return f"{year.group(1)} criteria" if year else head


def preset_labels(presets: Sequence[Preset]) -> dict[str, str]:
    """``name@version`` -> the preset's source and year (its title), unique per report.

    The label is the title up to its year (``Aitmehdi 2021 criteria``), else the title up to
    its colon; two presets with the same label get their versions appended.

    Examples
    --------
    >>> from clears.criteria import resolve
    >>> preset_labels([resolve("aitmehdi2021"), resolve("clasi50")])
    {'aitmehdi2021@1.0': 'Aitmehdi 2021 criteria', 'clasi50@1.0': 'CLASI-50'}
    """
    short = {p.label: _short(p) for p in presets}
    counts: dict[str, int] = {}
    for text in short.values():
        counts[text] = counts.get(text, 0) + 1
    by_label = {p.label: p for p in presets}
    return {
        key: text if counts[text] == 1 else f"{text}, version {by_label[key].version}"
        for key, text in short.items()
    }
