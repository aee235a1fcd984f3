"""Table 1: baseline characteristics as clinical papers print them, optionally by group.

Categorical variables print ``n (%)`` per level (a boolean variable prints its ``True`` row
only, as "Female sex 35 (88)"); continuous variables print ``median (range)``,
``median [Q1, Q3]`` or ``mean (SD)``, chosen per variable. With a grouping column each row
names the test that produced its p-value, and carries a standardised mean difference (SMD)
and the number of missing values. The footnotes name every test, the SMD formula and the
rounding rule.

Test selection (the defaults of R gtsummary ``add_p``, docs/reference/statistics.md):

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
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._rounding import ROUNDING_RULE, format_percent
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
from clears.analysis._table_one_input import (
    check_arguments,
    group_levels,
    is_boolean,
    numeric_default,
    ordered_levels,
    to_numbers,
)
from clears.analysis._table_one_result import OVERALL, TableOne
from clears.analysis._table_one_tests import SELECTION, RowTester

__all__ = ["TableOne", "table_one"]


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
    check_arguments(
        data, variables, cat_list, cont_map, group, welch, percent_digits, decimals, label_map
    )
    levels, names = group_levels(data, group)
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
    tester = RowTester()
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
        is_cat = name in cat_list or (name not in cont_map and not numeric_default(column))
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
                to_numbers(column, name),
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
    tester: RowTester,
    do_tests: bool,
) -> tuple[list[dict[str, Any]], tuple[str, float], float]:
    levels = ordered_levels(column)
    counts = np.array(
        [[int(((column == lv) & m).sum()) for m in in_group] for lv in levels], dtype=np.int64
    ).reshape(len(levels), len(in_group))
    overall = [int((column == lv).sum()) for lv in levels]
    shown = [True] if is_boolean(column) else levels
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
    tester: RowTester,
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
    tester: RowTester,
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
        notes.append(SELECTION)
        notes += [f"{method} ({', '.join(rows)})" for method, rows in tester.methods.items()]
    if do_smd:
        notes.append(SMD_METHOD + "; computed on non-missing values.")
    notes += tester.notes
    return tuple(notes)
