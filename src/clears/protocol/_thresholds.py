"""A protocol's blood-count thresholds and stopping rules: one declared, sourced table.

Eligibility (the START check, :mod:`clears.protocol._eligibility`) and the on-treatment
safety rules (:mod:`clears.protocol._safety_blood`, ``_safety_toxicity``, ``_safety_flare``)
read the same :class:`Thresholds`, so a count that holds or stops a running patient can never
be accepted at START: the parser refuses a table whose start limit lies below the CTCAE
grade edge at which the same line holds.

Per blood line (the ``visits`` columns ``anc``, ``wbc``, ``platelets``, ``hb``, in the
canonical units ×10⁹/L and g/dL):

``start_at_least``
    The lowest count accepted at START, with ``start_source`` (Cortés-Hernández 2012
    exclusions: platelets < 30 000/mm³, leukopenia < 2 000/mm³, neutrophils < 1 000/µL; EU
    SmPC: do not start if ANC < 1.0×10⁹/L and/or platelets < 50×10⁹/L,
    docs/reference/lenalidomide.md §4).
``hold_grade``
    The CTCAE v5.0 grade at or above which a count holds or stops a running patient, with
    ``hold_source``. The band edges are read from
    :data:`clears.instruments.ctcae.LAB_TESTS` (docs/instruments/ctcae.md), never restated here;
    only grades 2 and 3 are accepted, so a grade-3 count is never continued through.

For the whole protocol: ``myelosuppression`` (``stop``: discontinue, Cortés-Hernández 2012
"common toxicity criteria grade 3 myelosuppression"; ``hold_resume``: interrupt and resume one
level lower along ``resume_ladder``, the lenalidomide label, docs/reference/lenalidomide.md §5),
``adverse_event_stop_grade`` (a CTCAE grade of any other term with onset during the course
that stops), ``severe_flare`` (``stop`` or ``review``), and the two look-back windows
(:meth:`Thresholds.lookback_days`, ``start_lookback_days``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from clears._exceptions import Problem
from clears.instruments.ctcae import LAB_TESTS, grade_lab
from clears.instruments.ctcae.definition import LabTest

__all__ = [
    "FLARE_ACTIONS",
    "LINES",
    "MYELOSUPPRESSION_ACTIONS",
    "LineThreshold",
    "Thresholds",
    "default_thresholds",
    "parse_thresholds",
]

#: The blood lines every protocol declares, as ``visits`` columns (docs/cohort-tables.md).
LINES: Final = ("anc", "wbc", "platelets", "hb")
#: What a grade ≥ ``hold_grade`` count does to a running patient.
MYELOSUPPRESSION_ACTIONS: Final = ("stop", "hold_resume")
#: What a severe SLE flare on treatment does.
FLARE_ACTIONS: Final = ("stop", "review")
#: Hold grades a protocol may declare: 2 or 3, never 4 (grade 3 must never be continued).
HOLD_GRADES: Final = (2, 3)

_LINE_KEYS: Final = ("start_at_least", "start_source", "hold_grade", "hold_source")
_KEYS: Final = (
    "myelosuppression",
    "resume_ladder",
    "adverse_event_stop_grade",
    "severe_flare",
    "lookback_grace_days",
    "start_lookback_days",
    "source",
    *LINES,
)

#: Defaults for a protocol file without a ``[thresholds]`` table: the seed protocol's
#: conservative reading (discontinue), a 7-day grace after the blood-count interval, and the
#: 30 days of Cortés-Hernández 2012 ("known at least 30 days prior to inclusion").
_DEFAULT_GRACE_DAYS: Final = 7
_DEFAULT_START_LOOKBACK_DAYS: Final = 30
_DEFAULT_SOURCE: Final = (
    "No [thresholds] table in the protocol: CTCAE v5.0 grade 3 edges for START and hold, "
    "and the seed protocol's stopping rules (Cortés-Hernández 2012, Methods)"
)


def _lab(line: str) -> LabTest:
    return next(lab for lab in LAB_TESTS.values() if lab.cohort_column == line)


def grade_edge(line: str, grade: int) -> float | None:
    """The count below which ``line`` is CTCAE v5.0 grade ``grade`` or worse (None: no band).

    Read from the band table of :data:`clears.instruments.ctcae.LAB_TESTS`.

    Examples
    --------
    >>> grade_edge("anc", 3), grade_edge("platelets", 3), grade_edge("hb", 3)
    (1.0, 50.0, 8.0)
    """
    band = next((b for b in _lab(line).scales[0].bands if b.grade == grade), None)
    return None if band is None else band.upper


@dataclass(frozen=True, slots=True)
class LineThreshold:
    """The START limit and the on-treatment hold grade of one blood line, with sources."""

    line: str
    start_at_least: float
    start_source: str
    hold_grade: int
    hold_source: str

    @property
    def test(self) -> str:
        """The CTCAE lab test key (``neutrophils``, ``wbc``, ``platelets``, ``hemoglobin``)."""
        return _lab(self.line).key

    @property
    def term(self) -> str:
        """The CTCAE v5.0 term key of this line (for ``adverse_events`` rows)."""
        return _lab(self.line).term_key

    @property
    def unit(self) -> str:
        """The canonical unit the line and its limits are in."""
        return _lab(self.line).scales[0].unit

    @property
    def plausible(self) -> tuple[float, float]:
        """The physiological range CTCAE grading accepts, in :attr:`unit`."""
        return _lab(self.line).plausible

    @property
    def hold_below(self) -> float:
        """Counts below this are grade ≥ ``hold_grade`` (the CTCAE v5.0 band edge)."""
        edge = grade_edge(self.line, self.hold_grade)
        if edge is None:  # pragma: no cover - refused by the parser
            raise ValueError(f"no CTCAE grade {self.hold_grade} band for {self.line}")
        return edge

    def grade(self, value: float) -> int:
        """CTCAE v5.0 grade of ``value`` for grades ≥ 2; 0 at or above the grade-1 bound.

        Grade 1 needs the local lower limit of normal; grades 2 and above do not, so values
        at or above the grade-1 lower bound read 0 here (they never hold).
        """
        lab = _lab(self.line)
        if value >= lab.scales[0].grade1_lower:
            return 0
        return grade_lab(lab.key, value, self.unit).grade

    def holds(self, value: float) -> bool:
        """Whether ``value`` holds or stops a running patient (grade ≥ ``hold_grade``)."""
        return self.grade(value) >= self.hold_grade

    def starts(self, value: float) -> bool:
        """Whether ``value`` is accepted at START (at or above ``start_at_least``)."""
        return value >= self.start_at_least


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A protocol's blood-count table and stopping rules (see the module docstring)."""

    lines: Mapping[str, LineThreshold]
    myelosuppression: str
    resume_ladder: tuple[str, ...]
    adverse_event_stop_grade: int
    severe_flare: str
    lookback_grace_days: int
    start_lookback_days: int
    source: str

    def lookback_days(self, interval_days: int) -> int:
        """On-treatment look-back: the blood-count interval in force plus the grace days.

        A count older than the interval the protocol asks for, plus a grace for a late
        draw, is stale: it no longer says what the marrow is doing today.

        Examples
        --------
        >>> default_thresholds().lookback_days(28)
        35
        """
        return interval_days + self.lookback_grace_days


def default_thresholds() -> Thresholds:
    """The table a protocol without ``[thresholds]`` gets: CTCAE grade 3 edges, discontinue."""
    lines = {}
    for line in LINES:
        edge = grade_edge(line, 3)
        lines[line] = LineThreshold(
            line, float(edge or 0.0), _DEFAULT_SOURCE, 3, "CTCAE v5.0 grade ≥ 3"
        )
    return Thresholds(
        lines=lines,
        myelosuppression="stop",
        resume_ladder=(),
        adverse_event_stop_grade=3,
        severe_flare="stop",
        lookback_grace_days=_DEFAULT_GRACE_DAYS,
        start_lookback_days=_DEFAULT_START_LOOKBACK_DAYS,
        source=_DEFAULT_SOURCE,
    )


class _Collect:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, path: str, value: object, message: str, allowed: str | None = None) -> None:
        self.problems.append(Problem(f"thresholds.{path}", value, message, allowed, self.file))

    def text(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.bad(path, value, "must be a non-empty string naming the source")
            return ""
        return value

    def whole(self, data: Mapping[str, Any], key: str, low: int, high: int, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.bad(key, value, "must be a whole number", f"{low} to {high}")
            return default
        return value

    def choice(self, data: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        value = data.get(key)
        if value not in allowed:
            self.bad(key, value, "unknown value", ", ".join(allowed))
            return allowed[0]
        return str(value)


def _line(c: _Collect, line: str, spec: object) -> LineThreshold | None:
    if not isinstance(spec, Mapping):
        c.bad(line, spec, "must be a table with " + ", ".join(_LINE_KEYS))
        return None
    for key in spec:
        if key not in _LINE_KEYS:
            c.bad(f"{line}.{key}", None, "unknown key", ", ".join(_LINE_KEYS))
    grade = spec.get("hold_grade")
    if grade not in HOLD_GRADES or isinstance(grade, bool):
        c.bad(f"{line}.hold_grade", grade, "must be a CTCAE grade", "2, 3")
        grade = 3
    limit = spec.get("start_at_least")
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 0:
        c.bad(f"{line}.start_at_least", limit, "must be a number ≥ 0", _lab(line).scales[0].unit)
        limit = None
    threshold = LineThreshold(
        line,
        float(limit or 0.0),
        c.text(spec, "start_source", f"{line}.start_source"),
        int(grade),
        c.text(spec, "hold_source", f"{line}.hold_source"),
    )
    if limit is not None and limit < threshold.hold_below:
        c.bad(
            f"{line}.start_at_least",
            limit,
            f"accepts at START a count that holds a running patient (CTCAE v5.0 grade "
            f"≥ {grade} is below {threshold.hold_below:g} {threshold.unit})",
            f"at least {threshold.hold_below:g} {threshold.unit}",
        )
    return threshold


def parse_thresholds(
    value: object, regimens: Mapping[str, float], *, source: str = "protocol"
) -> tuple[Thresholds, list[Problem]]:
    """Read a protocol's ``[thresholds]`` table; return it and the problems found.

    Parameters
    ----------
    value
        The ``thresholds`` table of the protocol mapping, or None (absent: the defaults of
        :func:`default_thresholds`).
    regimens
        The protocol's regimen ids and their mg/day, for ``resume_ladder``.
    source
        The protocol file's name, for the problems.

    Returns
    -------
    tuple
        The :class:`Thresholds` (defaults where a value was refused) and the list of
        :class:`~clears._exceptions.Problem`, each naming ``thresholds.<field>``.
    """
    if value is None:
        return default_thresholds(), []
    c = _Collect(source)
    if not isinstance(value, Mapping):
        c.bad("", value, "must be a table")
        return default_thresholds(), c.problems
    for key in value:
        if key not in _KEYS:
            c.bad(str(key), None, "unknown key", ", ".join(_KEYS))
    lines: dict[str, LineThreshold] = {}
    for line in LINES:
        if line not in value:
            c.bad(line, None, "every blood line needs its START limit and hold grade", line)
            continue
        parsed = _line(c, line, value[line])
        if parsed is not None:
            lines[line] = parsed
    action = c.choice(value, "myelosuppression", MYELOSUPPRESSION_ACTIONS)
    ladder = value.get("resume_ladder", [])
    if not isinstance(ladder, list) or not all(isinstance(r, str) for r in ladder):
        c.bad("resume_ladder", ladder, "must be a list of regimen ids", ", ".join(regimens))
        ladder = []
    for rid in ladder:
        if rid not in regimens:
            c.bad("resume_ladder", rid, "unknown regimen", ", ".join(regimens))
    known = [regimens[r] for r in ladder if r in regimens]
    if any(a <= b for a, b in itertools.pairwise(known)):
        c.bad("resume_ladder", ladder, "must go from the highest to the lowest dose")
    if action == "hold_resume" and not ladder:
        c.bad("resume_ladder", ladder, "hold_resume needs the dose levels to resume on")
    if action == "stop" and ladder:
        c.bad("resume_ladder", ladder, "only a hold_resume protocol resumes")
    thresholds = Thresholds(
        lines=lines if len(lines) == len(LINES) else default_thresholds().lines,
        myelosuppression=action,
        resume_ladder=tuple(ladder),
        adverse_event_stop_grade=c.whole(value, "adverse_event_stop_grade", 1, 4, 3),
        severe_flare=c.choice(value, "severe_flare", FLARE_ACTIONS),
        lookback_grace_days=c.whole(value, "lookback_grace_days", 0, 28, _DEFAULT_GRACE_DAYS),
        start_lookback_days=c.whole(
            value, "start_lookback_days", 1, 90, _DEFAULT_START_LOOKBACK_DAYS
        ),
        source=c.text(value, "source", "source"),
    )
    return thresholds, c.problems
