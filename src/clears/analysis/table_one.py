"""Table 1: baseline characteristics as clinical papers print them, optionally by group.

Categorical variables print ``n (%)`` per level (a boolean variable prints its ``True`` row
only, as "Female sex 35 (88)"); continuous variables print ``median (range)``,
``median [Q1, Q3]`` or ``mean (SD)``, chosen per variable. With a grouping column each row
names the test that produced its p-value, and carries a standardised mean difference (SMD)
and the number of missing values. The footnotes name every test, the SMD formula and the
rounding rule.

Test selection (the defaults of R gtsummary ``add_p``, anchors.md §3.1):

* categorical: Pearson's χ² without continuity correction when every expected count is
  ≥ 5 (Cochran WG. Some methods for strengthening the common χ² tests. Biometrics
  1954;10:417-51. doi:10.2307/3001616); otherwise Fisher's exact test for 2 x 2 tables and
  the Fisher–Freeman–Halton exact test for r x 2 and 2 x c tables; larger sparse tables get
  χ² with a :class:`~clears.StatisticalWarning`;
* continuous: Mann–Whitney U for two groups, Kruskal–Wallis for more; Welch's t test for
  the variables named in ``welch`` (two groups only).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem, StatisticalWarning
from clears.analysis._results import ComparisonResult
from clears.analysis._rounding import ROUNDING_RULE, format_percent, round_half_up
from clears.analysis._summaries import (
    SMD_METHOD,
    SUMMARIES,
    SummaryKind,
    categorical_smd,
    continuous_smd,
    mean_pairwise,
    pairs,
    summarise_numbers,
)
from clears.analysis.comparisons import (
    chi2_test,
    fisher_exact,
    kruskal_wallis,
    mann_whitney,
    t_test,
)

__all__ = ["TableOne", "table_one"]

OVERALL: Final = "Overall"
_RESERVED: Final = ("variable", "label", "level", "summary", OVERALL, "test", "p_value", "smd")
_SELECTION: Final = (
    "Tests: categorical variables by Pearson's chi-squared test without continuity "
    "correction when every expected count is >= 5 (Cochran 1954), otherwise Fisher's exact "
    "test (2 x 2) or the Fisher-Freeman-Halton exact test (r x 2, 2 x c); continuous "
    "variables by the Mann-Whitney U test (two groups) or the Kruskal-Wallis test (more "
    "groups), or Welch's t test where asked. Missing values are left out of every test."
)


@dataclass(frozen=True)
class TableOne:
    """A Table 1 and the footnotes that say how it was made.

    Attributes
    ----------
    table
        Tidy, one row per variable or level: ``variable``, ``label``, ``level`` (``""`` on
        a variable's own row, the level as text on level rows), ``summary`` (``n (%)``,
        ``median (range)``...), ``Overall``, one column per group (printed cells), then, as
        requested, ``test`` (short test name), ``p_value``, ``smd`` and ``missing``. The
        first row, ``n``, counts the patients per column.
    group
        The grouping column, or ``None``.
    groups
        Group column names, in order.
    footnotes
        Summaries used, tests (full method names), the SMD formula, the rounding rule,
        and anything fragile (sparse tables, tests not computable).
    """

    table: pd.DataFrame
    group: str | None
    groups: tuple[str, ...]
    footnotes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """Return the table as printed: one text column per displayed column."""
        rows = []
        for rec in self.table.to_dict("records"):
            level = rec["level"]
            if rec["variable"] == "n":
                name = "n"
            elif level in ("", "True"):
                name = f"{rec['label']}, {rec['summary']}"
            else:
                name = f"   {level}"
            row = {"Variable": name, OVERALL: rec[OVERALL]}
            row.update({g: rec[g] for g in self.groups})
            if "test" in rec:
                row["Test"] = rec["test"]
                row["p"] = _format_p(rec["p_value"])
            if "smd" in rec:
                row["SMD"] = "" if _nan(rec["smd"]) else str(round_half_up(rec["smd"], 3))
            if "missing" in rec:
                row["Missing"] = "" if _nan(rec["missing"]) else str(rec["missing"])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_text(self) -> str:
        """Return the table as fixed-width text followed by its footnotes."""
        frame = self.to_frame()
        body = frame.to_string(index=False, justify="left")
        notes = "\n".join(f"[{i}] {note}" for i, note in enumerate(self.footnotes, start=1))
        return f"{body}\n\n{notes}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: ``group``, ``groups``, ``rows``, ``footnotes``."""
        rows = [
            {key: (None if _nan(value) else value) for key, value in rec.items()}
            for rec in self.table.to_dict("records")
        ]
        return {
            "group": self.group,
            "groups": list(self.groups),
            "rows": rows,
            "footnotes": list(self.footnotes),
        }


def _nan(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _format_p(p: Any) -> str:
    if _nan(p):
        return ""
    return "<0.001" if p < 0.001 else str(round_half_up(float(p), 3))


def _is_boolean(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, bool | np.bool_) for v in present)


def _ordered_levels(values: pd.Series) -> list[Any]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.dtype.categories)
    if _is_boolean(values):
        return [False, True]
    present = list(pd.unique(values.dropna()))
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def _check(
    data: Any,
    variables: Sequence[str],
    categorical: Sequence[str],
    continuous: Mapping[str, str],
    group: str | None,
    welch: Sequence[str],
    percent_digits: int,
    decimals: int | Mapping[str, int],
    labels: Mapping[str, str],
) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError(Problem("data", type(data).__name__, "must be a pandas DataFrame"))
    columns = ", ".join(map(str, data.columns))
    problems: list[Problem] = []
    if isinstance(variables, str) or not variables:
        problems.append(Problem("variables", variables, "needs a list of column names"))
        raise InputError(problems)
    named = set(variables)
    for name in variables:
        if name not in data.columns:
            problems.append(Problem("variables", name, "column not found in data", columns))
    if len(named) != len(variables):
        problems.append(Problem("variables", list(variables), "a variable is listed twice"))
    for option, given in (("categorical", categorical), ("continuous", continuous)):
        problems += [
            Problem(option, name, "is not one of variables", ", ".join(variables))
            for name in given
            if name not in named
        ]
    problems += [
        Problem("continuous", name, "is listed as categorical too", "one of the two")
        for name in continuous
        if name in categorical
    ]
    problems += [
        Problem(f"continuous[{name!r}]", kind, "unknown summary", ", ".join(SUMMARIES))
        for name, kind in continuous.items()
        if kind not in SUMMARIES
    ]
    if group is not None and group not in data.columns:
        problems.append(Problem("group", group, "column not found in data", columns))
    if group is not None and group in named:
        problems.append(Problem("group", group, "is also a variable", "a different column"))
    for name in welch:
        if name in categorical or (
            name not in continuous and name in data.columns and not _numeric_default(data[name])
        ):
            problems.append(
                Problem("welch", name, "is not a continuous variable", ", ".join(continuous))
            )
        if name not in named:
            problems.append(Problem("welch", name, "is not one of variables", ", ".join(variables)))
    if (
        not isinstance(percent_digits, int)
        or isinstance(percent_digits, bool)
        or (percent_digits < 0)
    ):
        problems.append(Problem("percent_digits", percent_digits, "must be a whole number >= 0"))
    digit_map = decimals if isinstance(decimals, Mapping) else {"decimals": decimals}
    for name, value in digit_map.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(Problem(f"decimals[{name!r}]", value, "must be a whole number >= 0"))
    problems += [
        Problem("labels", name, "is not one of variables", ", ".join(variables))
        for name in labels
        if name not in named
    ]
    if problems:
        raise InputError(problems)


def _numeric_default(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not _is_boolean(values)


def _groups(data: pd.DataFrame, group: str | None) -> tuple[list[Any], list[str]]:
    if group is None:
        return [], []
    levels = [lv for lv in _ordered_levels(data[group]) if (data[group] == lv).any()]
    names = [str(lv) for lv in levels]
    problems = []
    if len(levels) < 2:
        problems.append(
            Problem("group", group, f"has {len(levels)} non-missing value(s)", ">= 2 groups")
        )
    clash = [n for n in names if n in (*_RESERVED, "missing")]
    if clash or len(set(names)) != len(names):
        problems.append(
            Problem(
                "group",
                clash or names,
                "group values must print as distinct, unreserved column names",
                f"anything but {', '.join(_RESERVED)}, missing",
            )
        )
    if problems:
        raise InputError(problems)
    return levels, names


def _numbers(values: pd.Series, name: str) -> pd.Series:
    converted = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & converted.isna()
    if bad.any():
        first = values[bad]
        raise InputError(
            Problem(
                name,
                first.iloc[0],
                f"continuous variable has {int(bad.sum())} non-numeric value(s), first at "
                f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 1}",
                "numbers, or list the variable in categorical=",
            )
        )
    return converted.astype(float)


class _Tester:
    """Runs the tests and remembers their full names and any fragile result."""

    def __init__(self) -> None:
        self.methods: dict[str, list[str]] = {}
        self.notes: list[str] = []

    def record(self, label: str, short: str, result: ComparisonResult) -> tuple[str, float]:
        key = f"{short}: {result.method}"
        self.methods.setdefault(key, []).append(label)
        return short, result.p_value

    def categorical(self, label: str, counts: np.ndarray[Any, Any]) -> tuple[str, float]:
        counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
        if min(counts.shape) < 2:
            self.notes.append(f"{label}: no test (fewer than two levels or groups with data)")
            return "", math.nan
        expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
        if float(expected.min()) >= 5:
            return self.record(label, "Pearson's chi-squared", chi2_test(counts))
        if 2 in counts.shape:
            with warnings.catch_warnings():
                # the zero-cell warning concerns the odds ratio, which Table 1 does not show
                warnings.simplefilter("ignore", StatisticalWarning)
                try:
                    result = fisher_exact(counts)
                except InputError:
                    result = None
            if result is not None:
                short = "Fisher's exact" if counts.shape == (2, 2) else "Fisher-Freeman-Halton"
                return self.record(label, short, result)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            result = chi2_test(counts)
        message = (
            f"{label}: chi-squared test with an expected count of {float(expected.min()):.2f} "
            "< 5 and no exact test available for this table; the p-value is doubtful"
        )
        self.notes.append(message)
        warnings.warn(message, StatisticalWarning, stacklevel=4)
        return self.record(label, "Pearson's chi-squared", result)

    def continuous(
        self, label: str, samples: list[np.ndarray[Any, Any]], welch: bool
    ) -> tuple[str, float]:
        if any(s.size == 0 for s in samples):
            self.notes.append(f"{label}: no test (a group has no values)")
            return "", math.nan
        if welch:
            if min(s.size for s in samples) < 2:
                self.notes.append(f"{label}: no Welch t test (a group has fewer than 2 values)")
                return "", math.nan
            return self.record(label, "Welch t", t_test(samples[0], samples[1]))
        if np.unique(np.concatenate(samples)).size < 2:
            self.notes.append(f"{label}: no test (all values are equal)")
            return "", math.nan
        if len(samples) == 2:
            return self.record(label, "Mann-Whitney U", mann_whitney(samples[0], samples[1]))
        return self.record(label, "Kruskal-Wallis", kruskal_wallis(*samples))


def table_one(
    data: pd.DataFrame,
    *,
    variables: Sequence[str],
    categorical: Sequence[str] | None = None,
    continuous: Mapping[str, SummaryKind] | None = None,
    group: str | None = None,
    tests: bool = True,
    smd: bool = True,
    missing: bool = True,
    percent_digits: int = 0,
    welch: Sequence[str] = (),
    decimals: int | Mapping[str, int] = 1,
    labels: Mapping[str, str] | None = None,
) -> TableOne:
    """Describe ``variables`` of one row per patient, overall and by ``group``.

    Parameters
    ----------
    data
        One row per patient; it is not modified.
    variables
        The columns to describe, in display order.
    categorical
        Variables summarised as ``n (%)``. Variables in neither ``categorical`` nor
        ``continuous`` are categorical unless numeric (booleans are categorical).
    continuous
        Per-variable summary: ``"median_range"``, ``"median_iqr"`` or ``"mean_sd"``.
        Numeric variables not listed get ``"median_iqr"``.
    group
        Column splitting the patients into groups (values in sorted, or categorical,
        order). Patients with a missing group count in ``Overall`` only.
    tests, smd, missing
        Add the ``test``/``p_value``, ``smd`` and ``missing`` columns (tests and SMDs need
        ``group``).
    percent_digits
        Decimals of the percentages, rounded half up.
    welch
        Continuous variables compared by Welch's t test instead of Mann-Whitney (two groups).
    decimals
        Decimals of continuous summaries: one number, or per variable (default 1).
    labels
        Display names per variable (default: the column name).

    Returns
    -------
    TableOne
        ``.table`` (tidy), ``.to_frame()``, ``.to_text()``, ``.to_dict()``,
        ``.footnotes``.

    Raises
    ------
    InputError
        Unknown columns or options, a variable both categorical and continuous, a
        non-numeric value in a continuous variable, Welch's t test with other than two
        groups, fewer than two groups.

    References
    ----------
    Pollard TJ, Johnson AEW, Raffa JD, Mark RG. tableone: An open source Python package
    for producing summary statistics for research papers. JAMIA Open 2018;1:26-31.
    doi:10.1093/jamiaopen/ooy012 (output layout, SMD, missing column).
    Sjoberg DD, et al. Reproducible summary tables with the gtsummary package. R J
    2021;13:570-80. doi:10.32614/RJ-2021-053 (test selection).

    Examples
    --------
    >>> df = pd.DataFrame({"female": [True, True, False, True],
    ...                    "age": [22.0, 43.0, 50.0, 71.0]})
    >>> t1 = table_one(df, variables=["female", "age"], continuous={"age": "median_range"},
    ...                decimals=0)
    >>> # 3/4 = 75 %; median (43 + 50) / 2 = 46.5, rounded half up to 47
    >>> t1.table[["label", "level", "Overall"]].to_numpy().tolist()
    [['n', '', '4'], ['female', 'True', '3 (75)'], ['age', '', '47 (22–71)']]
    """
    cat_list = list(categorical or [])
    cont_map: dict[str, str] = dict(continuous or {})
    label_map = dict(labels or {})
    _check(data, variables, cat_list, cont_map, group, welch, percent_digits, decimals, label_map)
    levels, names = _groups(data, group)
    if welch and len(levels) != 2:
        raise InputError(
            Problem(
                "welch",
                list(welch),
                f"Welch's t test needs two groups, not {len(levels)}",
                "a group column with two values",
            )
        )
    in_group = [data[group] == lv for lv in levels] if group is not None else []
    tester = _Tester()
    do_tests, do_smd = tests and bool(levels), smd and bool(levels)
    rows: list[dict[str, Any]] = [
        {
            "variable": "n",
            "label": "n",
            "level": "",
            "summary": "",
            OVERALL: str(len(data)),
            **{n: str(int(m.sum())) for n, m in zip(names, in_group, strict=True)},
        }
    ]
    for name in variables:
        label = label_map.get(name, name)
        column = data[name]
        n_missing = int(column.isna().sum())
        is_cat = name in cat_list or (name not in cont_map and not _numeric_default(column))
        if is_cat:
            new_rows, test, smd_value = _categorical_rows(
                name, label, column, in_group, names, percent_digits, tester, do_tests
            )
        else:
            kind = cast(SummaryKind, cont_map.get(name, "median_iqr"))
            digits = decimals.get(name, 1) if isinstance(decimals, Mapping) else decimals
            new_rows, test, smd_value = _continuous_rows(
                name,
                label,
                _numbers(column, name),
                kind,
                digits,
                in_group,
                names,
                tester,
                do_tests,
                welch=name in welch,
            )
        new_rows[0].update(
            {"test": test[0], "p_value": test[1], "smd": smd_value, "missing": n_missing}
        )
        rows += new_rows
    table = pd.DataFrame(rows)
    table["test"] = table["test"].fillna("")
    table["missing"] = table["missing"].astype("Int64")
    keep = {"test": do_tests, "p_value": do_tests, "smd": do_smd, "missing": missing}
    table = table.drop(columns=[c for c, wanted in keep.items() if not wanted])
    return TableOne(
        table=table,
        group=group,
        groups=tuple(names),
        footnotes=_footnotes(data, group, percent_digits, tester, do_tests, do_smd, missing),
    )


def _categorical_rows(
    name: str,
    label: str,
    column: pd.Series,
    in_group: list[pd.Series],
    names: list[str],
    percent_digits: int,
    tester: _Tester,
    do_tests: bool,
) -> tuple[list[dict[str, Any]], tuple[str, float], float]:
    levels = _ordered_levels(column)
    counts = np.array(
        [[int(((column == lv) & m).sum()) for m in in_group] for lv in levels], dtype=np.int64
    ).reshape(len(levels), len(in_group))
    overall = [int((column == lv).sum()) for lv in levels]
    shown = [True] if _is_boolean(column) else levels
    total = int(column.notna().sum())
    totals = [int((column.notna() & m).sum()) for m in in_group]

    def cell(count: int, denominator: int) -> str:
        percent = format_percent(count, denominator, percent_digits)
        return f"{count} ({percent})" if percent else str(count)

    rows: list[dict[str, Any]] = []
    if len(shown) > 1:
        rows.append(
            {
                "variable": name,
                "label": label,
                "level": "",
                "summary": "n (%)",
                OVERALL: "",
                **dict.fromkeys(names, ""),
            }
        )
    for lv in shown:
        i = levels.index(lv)
        rows.append(
            {
                "variable": name,
                "label": label,
                "level": str(lv),
                "summary": "n (%)",
                OVERALL: cell(overall[i], total),
                **{g: cell(int(counts[i, j]), totals[j]) for j, g in enumerate(names)},
            }
        )
    test: tuple[str, float] = ("", math.nan)
    if do_tests:
        test = tester.categorical(label, counts)
    smd_value = mean_pairwise(
        [
            categorical_smd(counts[:, i].tolist(), counts[:, j].tolist())
            for i, j in pairs(len(names))
        ]
    )
    return rows, test, smd_value


def _continuous_rows(
    name: str,
    label: str,
    values: pd.Series,
    kind: SummaryKind,
    digits: int,
    in_group: list[pd.Series],
    names: list[str],
    tester: _Tester,
    do_tests: bool,
    *,
    welch: bool,
) -> tuple[list[dict[str, Any]], tuple[str, float], float]:
    samples = [values[m & values.notna()].to_numpy(dtype=float) for m in in_group]
    row = {
        "variable": name,
        "label": label,
        "level": "",
        "summary": SUMMARIES[kind],
        OVERALL: summarise_numbers(values.dropna().to_numpy(dtype=float), kind, digits),
        **{g: summarise_numbers(s, kind, digits) for g, s in zip(names, samples, strict=True)},
    }
    test: tuple[str, float] = ("", math.nan)
    if do_tests:
        test = tester.continuous(label, samples, welch)
    smd_value = mean_pairwise(
        [continuous_smd(samples[i], samples[j]) for i, j in pairs(len(names))]
    )
    return [row], test, smd_value


def _footnotes(
    data: pd.DataFrame,
    group: str | None,
    percent_digits: int,
    tester: _Tester,
    do_tests: bool,
    do_smd: bool,
    missing: bool,
) -> tuple[str, ...]:
    notes = [
        "Categorical variables: n (%); continuous variables as named on each row: median "
        "(range), median [Q1, Q3] (quartiles by linear interpolation, R quantile type 7) or "
        "mean (SD, n - 1 denominator).",
        f"Percentages of the non-missing values in each column, {percent_digits} decimal(s); "
        f"{ROUNDING_RULE}.",
    ]
    if missing:
        notes.append("Missing: number of missing values; they are left out of percentages.")
    if group is not None:
        unassigned = int(data[group].isna().sum())
        if unassigned:
            notes.append(f"{unassigned} patient(s) with no {group} are counted in Overall only.")
    if do_tests:
        notes.append(_SELECTION)
        notes += [f"{method} ({', '.join(rows)})" for method, rows in tester.methods.items()]
    if do_smd:
        notes.append(SMD_METHOD + "; computed on non-missing values.")
    notes += tester.notes
    return tuple(notes)
