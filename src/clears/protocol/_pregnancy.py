"""Pregnancy tests and reproductive potential, read from one patient's rows as of a date.

The pregnancy-prevention rules (safety, monitoring, eligibility) all read these facts here so
that they cannot disagree. Sources (``docs/reference/lenalidomide.md`` §2–3):

* US label / Lenalidomide REMS (:data:`~clears.protocol._sources.LABEL_PREGNANCY`): "Two
  negative pregnancy tests are needed before starting, with sensitivity ≥50 mIU/mL: the first
  within 10–14 days before prescribing; the second within 24 hours before prescribing. Once
  treatment has started, and during dose interruptions, test weekly during the first 4 weeks.
  After that, test every 4 weeks if menstrual cycles are regular, or every 2 weeks if they are
  irregular." Contraception "for 4 weeks after stopping"; males use "a latex or synthetic
  condom during any sexual contact with a female of reproductive potential, even after
  vasectomy, during treatment and for 4 weeks after".
* EU SmPC pregnancy prevention programme (:data:`~clears.protocol._sources.SMPC_PPP`): a woman
  is of childbearing potential unless aged ≥ 50 and naturally amenorrhoeic for ≥ 1 year,
  premature ovarian failure, bilateral salpingo-oophorectomy or hysterectomy, or XY genotype,
  Turner syndrome or uterine agenesis; "a test repeated 4 weeks after the end of treatment"
  [U].

Readings (project decisions, ``docs/protocol.md``): a visit's date is its test date; "within
24 hours before prescribing" is the same day as the prescription or the day before; "10–14
days before" is 10 to 14 calendar days before it; a positive result stands until a performed
negative dated *after* it (a blank or ``not_done`` never cancels it, and a negative on the same
day does not either); ``not_done`` is not a test. Reproductive potential is what the patient
row records; when nothing is recorded it is never read as "no": tests stay due, except from
:data:`IMPLAUSIBLE_AGE` on, where only a request to record it is raised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from clears.cohort._coerce import choice_key
from clears.protocol._patient import PatientData, as_date, flag, number, pregnancy_result

__all__ = [
    "AFTER_STOP_DAYS",
    "FIRST_TEST_DAYS",
    "IMPLAUSIBLE_AGE",
    "NOT_OF_POTENTIAL_BASES",
    "OF_POTENTIAL_BASES",
    "OVERDUE_AFTER_STOP_DAYS",
    "PREGNANCY_INTERVALS",
    "PRESTART_WINDOW_DAYS",
    "SECOND_TEST_DAYS",
    "Potential",
    "PreStart",
    "TestPlan",
    "course_state",
    "pre_start_tests",
    "pregnancy_test_plan",
    "pregnancy_tests",
    "reproductive_potential",
    "unresolved_positive",
]

#: Pregnancy-test intervals in days: (weekly phase interval, weekly phase length, regular
#: cycles, irregular cycles). US label/REMS: "weekly during the first 4 weeks", then "every 4
#: weeks" (regular cycles) or "every 2 weeks" (irregular) — docs/reference/lenalidomide.md §3 [S].
PREGNANCY_INTERVALS: Final = (7, 28, 28, 14)
#: Days before prescribing of the first negative test: "within 10–14 days before" (REMS).
FIRST_TEST_DAYS: Final = (10, 14)
#: Days before prescribing of the second negative test: "within 24 hours before prescribing",
#: read as the same day or the day before (dates carry no time of day).
SECOND_TEST_DAYS: Final = (0, 1)
#: Testing continues until this many days after stopping, with a last test then: "for 4 weeks
#: after stopping" (US label, contraception) and "a test repeated 4 weeks after the end of
#: treatment" (EU SmPC [U]).
AFTER_STOP_DAYS: Final = 28
#: A last post-stop test never recorded stays overdue this many days after its due date, then
#: the reminder ends (project decision: one more 4-week interval; a registry of courses that
#: ended years ago would otherwise flag every woman for ever).
OVERDUE_AFTER_STOP_DAYS: Final = 28
#: A test at most this many days before a course starts counts as done for the course's clock.
PRESTART_WINDOW_DAYS: Final = FIRST_TEST_DAYS[1]
#: From this age (the lowest age the birth year allows), a woman with nothing recorded is not
#: told a pregnancy test is due. Project decision: the EU SmPC treats a woman as of
#: childbearing potential unless, among others, she is ≥ 50 and naturally amenorrhoeic for
#: ≥ 1 year — it needs the amenorrhoea recorded, so age alone never decides below it; 60 is a
#: margin of ten years above that age, and an info alert still asks for the record.
IMPLAUSIBLE_AGE: Final = 60

#: ``reproductive_potential_basis`` values that mean of reproductive potential (US REMS:
#: menstruating, amenorrhoeic after medical treatment, perimenopausal).
OF_POTENTIAL_BASES: Final = frozenset(
    {"menstruating", "amenorrhoea_after_treatment", "perimenopausal"}
)
#: ``reproductive_potential_basis`` values that mean not of reproductive potential (US REMS:
#: natural menopause, hysterectomy, bilateral oophorectomy, premenarchal; EU SmPC PPP:
#: premature ovarian failure, XY genotype, Turner syndrome or uterine agenesis).
NOT_OF_POTENTIAL_BASES: Final = frozenset(
    {
        "natural_menopause",
        "hysterectomy",
        "bilateral_oophorectomy",
        "premature_ovarian_failure",
        "premenarchal",
        "xy_turner_or_uterine_agenesis",
    }
)
_PERFORMED: Final = frozenset({"positive", "negative"})


def _day(data: PatientData, day: dt.date | None) -> dt.date:
    return data.as_of if day is None else day


def pregnancy_tests(
    data: PatientData, day: dt.date | None = None
) -> tuple[tuple[dt.date, str], ...]:
    """Return ``(visit_date, result)`` of every recorded pregnancy test up to ``day``, oldest first.

    ``result`` is ``positive``, ``negative`` or ``not_done``; blank cells are left out.

    Raises
    ------
    InputError
        A value outside the allowed results (field ``pregnancy_test``).
    """
    cut = _day(data, day)
    out = []
    for row in data.visits:
        result = pregnancy_result(row.get("pregnancy_test"), row.get("visit_date"))
        if result is not None and row["visit_date"] <= cut:
            out.append((row["visit_date"], result))
    return tuple(out)


def _performed(data: PatientData, day: dt.date | None) -> list[tuple[dt.date, str]]:
    return [t for t in pregnancy_tests(data, day) if t[1] in _PERFORMED]


def unresolved_positive(data: PatientData, day: dt.date | None = None) -> dt.date | None:
    """Date of the latest performed positive test with no performed negative dated after it."""
    positive: dt.date | None = None
    for when, result in _performed(data, day):
        if result == "positive":
            positive = when
        elif positive is not None and when > positive:
            positive = None
    return positive


@dataclass(frozen=True)
class Potential:
    """Whether pregnancy rules apply to the patient.

    Attributes
    ----------
    status
        ``of_potential`` (recorded), ``not_of_potential`` (recorded), ``unrecorded`` (nothing
        recorded, or recorded after the day) or ``male``.
    tests_due
        True when pregnancy tests are required (of potential, or unrecorded below
        :data:`IMPLAUSIBLE_AGE` or with no birth year).
    reason
        Plain words saying why.
    data
        The cells that decided it.
    """

    status: str
    tests_due: bool
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


def _min_age(data: PatientData, day: dt.date) -> int | None:
    year = number(data.value("birth_year"))
    return None if year is None else day.year - int(year) - 1


def reproductive_potential(data: PatientData, day: dt.date | None = None) -> Potential:
    """Read reproductive potential from the patient row as it was known on ``day``.

    A recorded ``reproductive_potential = true`` or an of-potential basis wins over anything
    that says otherwise (conservative). ``false`` or a basis in :data:`NOT_OF_POTENTIAL_BASES`
    means not of potential. A record dated (``reproductive_potential_date``) after ``day`` was
    not known on that day. A patient whose ``sex`` is not male is read like a female.
    """
    cut = _day(data, day)
    if data.female is False:
        return Potential("male", False, "male patient", {"sex": data.value("sex")})
    recorded_on = as_date(data.value("reproductive_potential_date"))
    known = recorded_on is None or recorded_on <= cut
    value = flag(data.value("reproductive_potential")) if known else None
    raw_basis = data.value("reproductive_potential_basis") if known else None
    basis = None if raw_basis is None or not str(raw_basis).strip() else choice_key(str(raw_basis))
    age = _min_age(data, cut)
    info: dict[str, Any] = {
        "reproductive_potential": value,
        "reproductive_potential_basis": basis,
        "reproductive_potential_date": recorded_on,
        "age_at_least": age,
    }
    if value is True or basis in OF_POTENTIAL_BASES:
        return Potential(
            "of_potential", True, f"recorded of reproductive potential ({basis or 'yes'})", info
        )
    if value is False or basis in NOT_OF_POTENTIAL_BASES:
        return Potential(
            "not_of_potential",
            False,
            f"recorded not of reproductive potential ({basis or 'no'})",
            info,
        )
    if age is not None and age >= IMPLAUSIBLE_AGE:
        return Potential(
            "unrecorded",
            False,
            f"reproductive potential not recorded; aged {age} or more (≥ {IMPLAUSIBLE_AGE})",
            info,
        )
    return Potential("unrecorded", True, "reproductive potential not recorded", info)


@dataclass(frozen=True)
class PreStart:
    """The two negative tests needed before a first dose (REMS), as of ``day``.

    ``first``/``second`` are the dates of the qualifying tests (None when missing); ``ready``
    when both qualify; ``next_due`` the day the next missing test is due (None when ready);
    ``words`` names each test, done or when due.
    """

    day: dt.date
    first: dt.date | None
    second: dt.date | None
    next_due: dt.date | None
    words: str

    @property
    def ready(self) -> bool:
        """Both qualifying negative tests are recorded."""
        return self.first is not None and self.second is not None


def pre_start_tests(data: PatientData, day: dt.date | None = None) -> PreStart:
    """Check the two negative tests before prescribing on ``day`` (default: the as-of date).

    Only negatives dated after the latest performed positive count. The first qualifies
    10–14 days before ``day``, the second 0–1 day before it (:data:`FIRST_TEST_DAYS`,
    :data:`SECOND_TEST_DAYS`).
    """
    cut = _day(data, day)
    performed = _performed(data, cut)
    positives = [d for d, r in performed if r == "positive"]
    negatives = [
        d for d, r in performed if r == "negative" and (not positives or d > positives[-1])
    ]

    def within(low: int, high: int) -> dt.date | None:
        return max((d for d in negatives if low <= (cut - d).days <= high), default=None)

    first, second = within(*FIRST_TEST_DAYS), within(*SECOND_TEST_DAYS)
    low, high = FIRST_TEST_DAYS
    if first is not None and second is not None:
        words = f"first negative on {first}, second negative on {second}"
        return PreStart(cut, first, second, None, words)
    if first is not None:
        words = (
            f"first negative on {first} (10–14 days before prescribing); second test missing: "
            f"due {cut} (within 24 hours before prescribing, by {first + dt.timedelta(days=high)})"
        )
        return PreStart(cut, first, None, cut, words)
    old = [d for d in negatives if (cut - d).days > high]
    stale = f" (the negative of {old[-1]} is too old: over {high} days)" if old else ""
    recent = min((d for d in negatives if (cut - d).days < low), default=None)
    if recent is not None:
        start, end = recent + dt.timedelta(days=low), recent + dt.timedelta(days=high)
        words = (
            f"first negative on {recent}, {(cut - recent).days} days ago, is too recent (the "
            f"first must be 10–14 days before prescribing): prescribe between {start} and "
            f"{end}, with the second test within 24 hours before{stale}"
        )
        return PreStart(cut, None, None, start, words)
    words = (
        f"first test missing (none 10–14 days before {cut}){stale}: due {cut}; then the "
        "second within 24 hours before prescribing, 10–14 days after the first"
    )
    return PreStart(cut, None, None, cut, words)


def course_state(data: PatientData) -> tuple[str, dt.date | None]:
    """Return ``(state, stop_date)``: ``not_started``, ``on_treatment``, ``interrupted`` or
    ``stopped``.

    A dose interruption is :attr:`PatientData.interrupted` (a last period ended for an
    adverse event, not longer ago than the longest interruption); the label keeps testing
    "during dose interruptions". Any other end stops the course (``stop_date`` is its end).
    """
    if not data.periods:
        return "not_started", None
    if data.current_period is not None:
        return "on_treatment", None
    last = data.periods[-1]
    if data.interrupted:
        return "interrupted", None
    end: dt.date = last["end_date"]
    return "stopped", end


@dataclass(frozen=True)
class TestPlan:
    """The pregnancy-test item of the monitoring schedule (see :func:`pregnancy_test_plan`)."""

    schedule: str
    last_done: dt.date | None
    next_due: dt.date | None
    status: str


def _status(next_due: dt.date, as_of: dt.date) -> str:
    if as_of > next_due:
        return "overdue"
    return "due" if as_of == next_due else "scheduled"


def _not_done_note(data: PatientData, last: dt.date | None) -> str:
    skipped = [
        d for d, r in pregnancy_tests(data) if r == "not_done" and (last is None or d > last)
    ]
    return f"; not done on {', '.join(str(d) for d in skipped)}" if skipped else ""


def pregnancy_test_plan(data: PatientData, cycle_start: dt.date | None) -> TestPlan | None:
    """Return the pregnancy-test item for a patient to whom tests apply, or None when none is due.

    Not started: the two tests before the first dose (:func:`pre_start_tests`). On treatment
    and during a dose interruption: weekly for the first 28 days of the course (the start is
    day 1, so a test on day 28 is still in the weekly phase), then every 28 days, or every 14
    with irregular cycles, counted from the last performed test. After stopping: the same
    schedule, with a last test :data:`AFTER_STOP_DAYS` days after the stop; once a performed
    test dated on or after it exists, nothing more is due after that day; without one it is
    overdue for :data:`OVERDUE_AFTER_STOP_DAYS` days, then the reminder ends.
    """
    as_of = data.as_of
    weekly, weeks, regular, irregular = PREGNANCY_INTERVALS
    irregular_cycles = flag(data.value("irregular_cycles")) is True
    late = irregular if irregular_cycles else regular
    words = (
        f"weekly for the first {weeks} days of a course and during interruptions, then every "
        f"{late} days ({'irregular' if irregular_cycles else 'regular'} cycles)"
    )
    state, stop = course_state(data)
    performed = _performed(data, None)
    last = performed[-1][0] if performed else None
    note = _not_done_note(data, last)
    if state == "not_started":
        pre = pre_start_tests(data)
        window = as_of - dt.timedelta(days=PRESTART_WINDOW_DAYS + 1)  # not_done in the 14 days
        status = "done" if pre.ready else _status(pre.next_due or as_of, as_of)
        return TestPlan(
            f"two negative tests before the first dose (10–14 days and within 24 hours before "
            f"prescribing): {pre.words}; then {words}{_not_done_note(data, window)}",
            last,
            pre.next_due,
            status,
        )
    anchor = cycle_start or data.periods[-1]["start_date"]
    if last is None or last < anchor - dt.timedelta(days=PRESTART_WINDOW_DAYS):
        due = anchor
    else:
        step = weekly if (last - anchor).days < weeks else late
        due = max(last + dt.timedelta(days=step), anchor)
    if state == "stopped" and stop is not None:
        final = stop + dt.timedelta(days=AFTER_STOP_DAYS)
        words += (
            f", until {AFTER_STOP_DAYS} days after stopping (stopped {stop}; last test {final})"
        )
        if last is not None and last >= final:
            if as_of > final:
                return None
            return TestPlan(words + note, last, None, "done")
        if (as_of - final).days > OVERDUE_AFTER_STOP_DAYS:
            return None
        due = min(due, final)
    return TestPlan(words + note, last, due, _status(due, as_of))
