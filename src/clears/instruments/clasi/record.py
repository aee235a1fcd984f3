"""CLASI: activity and damage of cutaneous lupus erythematosus, with severity bands.

The instrument is declared as data in :mod:`clears.instruments.clasi.definition`; this module
scores one record (typed input or nested JSON). The vectorised path,
:mod:`clears.instruments.clasi.vector`, reads the same :data:`DEFINITION`. The result type,
:class:`ClasiResult`, lives in :mod:`clears.instruments.clasi.result`.

References
----------
Albrecht J, Taylor L, Berlin JA, et al. J Invest Dermatol 2005;125(5):889-894.
doi:10.1111/j.0022-202X.2005.23889.x (the CLASI).
Klein R, Moghadam-Kia S, LoMonico J, et al. Arch Dermatol 2011;147(2):203-208.
doi:10.1001/archdermatol.2010.435 (severity: mild 0-9, moderate 10-20, severe 21-70).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clears._cells import plain_value
from clears._exceptions import InputError, Problem
from clears.instruments._base import parse_level, require_mapping, unknown_keys
from clears.instruments.clasi.definition import (
    AREA_FIELDS,
    AREA_LABELS,
    AREAS,
    DEFINITION,
    DOUBLING_COLUMN,
    DYSPIGMENTATION_MULTIPLIER,
    PATIENT_FIELDS,
    ROLES,
    Role,
    severity,
)
from clears.instruments.clasi.result import AreaWorking, ClasiResult

__all__ = ["AreaInput", "ClasiInput", "score", "score_mapping"]

_SCALP_SCARRING_MESSAGE = "the scalp has no per-area scarring; use scalp_scarring"


@dataclass(frozen=True, slots=True)
class AreaInput:
    """Codes of one area (worst lesion per feature); ``scarring`` stays ``None`` on the scalp."""

    erythema: int | None = None
    scale: int | None = None
    dyspigmentation: int | None = None
    scarring: int | None = None


@dataclass(frozen=True, slots=True)
class ClasiInput:
    """One CLASI assessment. ``None`` means not recorded (allowed only with ``partial=True``)."""

    areas: Mapping[str, AreaInput] = field(default_factory=dict)
    mucous_membrane: int | None = None
    recent_hair_loss: int | None = None
    alopecia: int | None = None
    scalp_scarring: int | None = None
    dyspigmentation_lasts_12_months: bool | None = None

    def to_columns(self) -> dict[str, Any]:
        """The flat column values (``clasi_scalp_ery`` ...), ``None`` where not recorded."""
        columns: dict[str, Any] = {}
        for area, fields in AREA_FIELDS.items():
            given = self.areas.get(area)
            for key, fld in fields.items():
                columns[fld.column] = None if given is None else getattr(given, key)
        for key, fld in PATIENT_FIELDS.items():
            columns[fld.column] = getattr(self, key)
        return columns

    @classmethod
    def from_columns(cls, row: Mapping[str, Any]) -> ClasiInput:
        """Build an input from flat columns (e.g. a frame row as a dict).

        Cells are read by :func:`clears._cells.plain_value`: absent keys and every missing
        cell (``None``, NaN, NaT, ``pandas.NA``) mean not recorded; NumPy scalars become
        Python values. Values are not checked here: :func:`score` checks them.
        """
        areas = {
            area: AreaInput(
                **{key: plain_value(row.get(fld.column)) for key, fld in fields.items()}
            )
            for area, fields in AREA_FIELDS.items()
        }
        patient = {key: plain_value(row.get(fld.column)) for key, fld in PATIENT_FIELDS.items()}
        return cls(areas=areas, **patient)


def _role_sum(codes: Mapping[str, int], role: Role) -> int:
    return sum(codes.get(f.column, 0) for f in DEFINITION.fields if ROLES[f.item.name] is role)


def _evaluate(raw: Mapping[str, object], problems: list[Problem], *, partial: bool) -> ClasiResult:
    """Validate flat raw values (keyed by column) and score them; raise all problems at once."""
    codes: dict[str, int] = {}
    missing: list[str] = []
    for fld in DEFINITION.fields:
        value = raw.get(fld.column)
        if value is None:
            missing.append(fld.path)
            continue
        parsed = parse_level(fld.item, value, fld.path)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            codes[fld.column] = parsed
    if missing and not partial:
        problems.extend(_missing_problems(missing))
    if problems:
        raise InputError(problems)
    doubled = codes.get(DOUBLING_COLUMN) == 1
    dysp_sum = _role_sum(codes, Role.dyspigmentation)
    dysp_score = dysp_sum * (DYSPIGMENTATION_MULTIPLIER if doubled else 1)
    activity = _role_sum(codes, Role.activity)
    areas = []
    for area, fields in AREA_FIELDS.items():
        got = {key: codes.get(fld.column) for key, fld in fields.items()}
        roles = {key: ROLES[fld.item.name] for key, fld in fields.items()}
        areas.append(
            AreaWorking(
                area=area,
                label=AREA_LABELS[area],
                erythema=got["erythema"],
                scale=got["scale"],
                dyspigmentation=got["dyspigmentation"],
                scarring=got.get("scarring"),
                activity=sum(v or 0 for k, v in got.items() if roles[k] is Role.activity),
                damage_before_doubling=sum(
                    v or 0 for k, v in got.items() if roles[k] is not Role.activity
                ),
            )
        )
    patient = {key: codes.get(fld.column) for key, fld in PATIENT_FIELDS.items()}
    lasts = patient["dyspigmentation_lasts_12_months"]
    return ClasiResult(
        activity=activity,
        damage=dysp_score + _role_sum(codes, Role.damage),
        severity=severity(activity),
        areas=tuple(areas),
        mucous_membrane=patient["mucous_membrane"],
        recent_hair_loss=patient["recent_hair_loss"],
        alopecia=patient["alopecia"],
        scalp_scarring=patient["scalp_scarring"],
        dyspigmentation_lasts_12_months=None if lasts is None else lasts == 1,
        dyspigmentation_sum=dysp_sum,
        dyspigmentation_score=dysp_score,
        partial=bool(missing),
        missing=tuple(missing),
    )


def _missing_problems(missing: list[str]) -> list[Problem]:
    """One problem per missing item, or one per area when the whole area is missing."""
    gone = set(missing)
    whole = {area for area in AREAS if all(f.path in gone for f in AREA_FIELDS[area].values())}
    by_path = DEFINITION.by_path()
    hint = "is missing (score with partial=True, or --partial, to skip missing items)"
    problems = [Problem(f"areas.{area}", None, hint) for area in AREAS if area in whole]
    problems += [
        Problem(path, None, hint, by_path[path].item.allowed_text())
        for path in missing
        if not (path.startswith("areas.") and path.split(".")[1] in whole)
    ]
    return problems


def score(record: ClasiInput, *, partial: bool = False) -> ClasiResult:
    """Score one typed CLASI record.

    Parameters
    ----------
    record
        The assessment; see :class:`ClasiInput`.
    partial
        Allow missing items (``None`` or absent areas): totals are then over the items given
        and the result lists what is missing.

    Returns
    -------
    ClasiResult

    Raises
    ------
    InputError
        Listing every unknown area, out-of-range code, scalp per-area scarring and (unless
        ``partial``) missing item.

    References
    ----------
    Albrecht J, et al. J Invest Dermatol 2005;125:889-894. doi:10.1111/j.0022-202X.2005.23889.x

    Examples
    --------
    >>> record = ClasiInput(areas={"arms": AreaInput(erythema=3, scale=2)}, alopecia=1)
    >>> result = score(record, partial=True)
    >>> result.activity, result.damage, result.severity, result.partial
    (6, 0, 'mild', True)
    """
    problems: list[Problem] = []
    raw: dict[str, object] = {}
    areas = record.areas if isinstance(record.areas, Mapping) else {}
    problems += unknown_keys(list(areas), AREAS, "areas")
    for area, given in areas.items():
        if area not in AREA_FIELDS:
            continue
        if not isinstance(given, AreaInput):
            problems.append(Problem(f"areas.{area}", given, "expects an AreaInput"))
            continue
        if area == "scalp" and given.scarring is not None:
            problems.append(
                Problem("areas.scalp.scarring", given.scarring, _SCALP_SCARRING_MESSAGE)
            )
        for key, fld in AREA_FIELDS[area].items():
            raw[fld.column] = getattr(given, key)
    for key, fld in PATIENT_FIELDS.items():
        raw[fld.column] = getattr(record, key)
    return _evaluate(raw, problems, partial=partial)


def score_mapping(payload: Mapping[str, Any], *, partial: bool = False) -> ClasiResult:
    """Validate and score nested CLASI JSON (the shape of ``examples/score/clasi.json``).

    The shape is ``{"areas": {AREA: {"erythema", "scale", "dyspigmentation", "scarring"}},
    "mucous_membrane", "recent_hair_loss", "alopecia", "scalp_scarring",
    "dyspigmentation_lasts_12_months"}``, with AREA one of :data:`AREAS`; the scalp takes no
    ``scarring``. Unknown keys and areas, values of the wrong type or out of range, and
    (unless ``partial``) missing items are all reported together in one :class:`InputError`.

    Examples
    --------
    >>> result = score_mapping({"areas": {"scalp": {"scarring": 1}}}, partial=True)
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: areas.scalp.scarring: the scalp has no per-area scarring; \
use scalp_scarring (got 1)
    """
    top = require_mapping(payload, "")
    if isinstance(top, Problem):
        raise InputError(top)
    problems = unknown_keys(list(top), ("areas", *PATIENT_FIELDS), "")
    raw: dict[str, object] = {}
    areas = require_mapping(top.get("areas", {}), "areas")
    if isinstance(areas, Problem):
        problems.append(areas)
        areas = {}
    problems += unknown_keys(list(areas), AREAS, "areas")
    for area, fields in AREA_FIELDS.items():
        if area not in areas or areas[area] is None:
            continue
        given = require_mapping(areas[area], f"areas.{area}")
        if isinstance(given, Problem):
            problems.append(given)
            continue
        extra = [key for key in given if key not in fields]
        if area == "scalp" and given.get("scarring") is not None:
            problems.append(
                Problem("areas.scalp.scarring", given["scarring"], _SCALP_SCARRING_MESSAGE)
            )
        if area == "scalp" and "scarring" in extra:
            extra.remove("scarring")
        problems += unknown_keys(extra, list(fields), f"areas.{area}")
        for key, fld in fields.items():
            raw[fld.column] = given.get(key)
    for key, fld in PATIENT_FIELDS.items():
        raw[fld.column] = top.get(key)
    return _evaluate(raw, problems, partial=partial)
