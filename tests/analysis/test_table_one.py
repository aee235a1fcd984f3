"""Tests of clears.analysis.table_one: Aitmehdi 2021 Table 1, scipy, tableone formulas."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clears import InputError, StatisticalWarning
from clears.analysis.table_one import table_one


def _flags(n_true: int, n: int = 40) -> list[bool]:
    return [True] * n_true + [False] * (n - n_true)


def _aitmehdi_frame() -> pd.DataFrame:
    """Synthetic 40 patients with the counts of Aitmehdi 2021 Table 1 (seed 000)."""
    # ages: 22, 71 and a median of 43 (20th and 21st values both 43)
    ages = [22.0] + [30.0] * 18 + [43.0, 43.0] + [60.0] * 18 + [71.0]
    subtypes = ["DLE"] * 25 + ["DLE;SCLE"] * 8 + ["DLE;LET"] * 4 + ["SCLE"] * 2 + ["DLE;LEP"]
    severity = ["mild"] * 12 + ["moderate"] * 21 + ["severe"] * 7
    return pd.DataFrame(
        {
            "female": _flags(35),
            "age": ages,
            "smoking": _flags(25),
            "phototype_5_6": _flags(7),
            "subtypes": subtypes,
            "sle": _flags(26),
            "aps": _flags(3),
            "severity": pd.Categorical(severity, categories=["mild", "moderate", "severe"]),
            "prior_thalidomide": _flags(35),
            "glucocorticoids": _flags(13),
        }
    )


def _cell(t1: object, label: str, level: str = "", column: str = "Overall") -> str:
    table = t1.table  # type: ignore[attr-defined]
    row = table[(table["variable"] == label) & (table["level"] == level)]
    assert len(row) == 1, (label, level)
    return str(row[column].iloc[0])


def test_reproduces_aitmehdi_table_1() -> None:
    data = _aitmehdi_frame()
    t1 = table_one(
        data,
        variables=list(data.columns),
        continuous={"age": "median_range"},
        decimals=0,
    )
    # Aitmehdi 2021 Table 1; 35/40 = 87.5 -> 88, 25/40 = 62.5 -> 63, 26/40 = 65
    assert _cell(t1, "female", "True") == "35 (88)"
    assert _cell(t1, "smoking", "True") == "25 (63)"
    assert _cell(t1, "sle", "True") == "26 (65)"
    assert _cell(t1, "prior_thalidomide", "True") == "35 (88)"
    # 7/40 = 17.5 -> 18 (the paper prints 18 for phototype V-VI ...)
    assert _cell(t1, "phototype_5_6", "True") == "7 (18)"
    # ... but 17 for severe CLE, 7/40 too: docs/reference/published-figures.md A8, the paper
    # truncates there
    assert _cell(t1, "severity", "severe") == "7 (18)"
    assert _cell(t1, "severity", "mild") == "12 (30)"  # 12/40 = 30
    assert _cell(t1, "severity", "moderate") == "21 (53)"  # 21/40 = 52.5 -> 53
    # docs/reference/published-figures.md A7: the paper's "13 (30)" does not recompute; 13/40 = 32.5
    # -> 33
    assert _cell(t1, "glucocorticoids", "True") == "13 (33)"
    # 3/40 = 7.5 -> 8 (the paper prints 7.5 with one decimal)
    assert _cell(t1, "aps", "True") == "3 (8)"
    assert _cell(t1, "subtypes", "DLE") == "25 (63)"  # 62.5 -> 63
    assert _cell(t1, "subtypes", "DLE;SCLE") == "8 (20)"
    assert _cell(t1, "subtypes", "DLE;LET") == "4 (10)"
    assert _cell(t1, "subtypes", "SCLE") == "2 (5)"
    assert _cell(t1, "subtypes", "DLE;LEP") == "1 (3)"  # 2.5 -> 3
    assert _cell(t1, "age") == "43 (22–71)"  # Table 1: 43 (22-71)
    assert _cell(t1, "n") == "40"
    # categorical order follows the categories of a pandas Categorical
    levels = t1.table.loc[t1.table["variable"] == "severity", "level"].tolist()
    assert levels == ["", "mild", "moderate", "severe"]


def test_percent_digits_one_decimal() -> None:
    data = _aitmehdi_frame()
    t1 = table_one(data, variables=["subtypes", "aps"], percent_digits=1)
    # Aitmehdi 2021 Table 1 prints these two with one decimal: 1 (2.5), 3 (7.5)
    assert _cell(t1, "subtypes", "DLE;LEP") == "1 (2.5)"
    assert _cell(t1, "aps", "True") == "3 (7.5)"
    assert any("rounded half up" in note for note in t1.footnotes)


def _two_by_two(n_true: int) -> pd.DataFrame:
    # 10 patients per group; n_true True values split as evenly as possible
    first = n_true // 2
    return pd.DataFrame(
        {
            "x": _flags(first, 10) + _flags(n_true - first, 10),
            "arm": ["a"] * 10 + ["b"] * 10,
        }
    )


def test_expected_count_rule_chi2_side() -> None:
    data = _two_by_two(10)
    # expected count of the smallest cell = 10 * 10 / 20 = 5 -> chi-squared (>= 5)
    t1 = table_one(data, variables=["x"], group="arm")
    row = t1.table[t1.table["variable"] == "x"].iloc[0]
    assert row["test"] == "Pearson's chi-squared"
    table = [[5, 5], [5, 5]]
    # scipy.stats.chi2_contingency([[5, 5], [5, 5]], correction=False)
    assert row["p_value"] == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)


def test_expected_count_rule_fisher_side() -> None:
    data = _two_by_two(9)
    # expected count 9 * 10 / 20 = 4.5 < 5 -> Fisher's exact test
    t1 = table_one(data, variables=["x"], group="arm")
    row = t1.table[t1.table["variable"] == "x"].iloc[0]
    assert row["test"] == "Fisher's exact"
    # scipy.stats.fisher_exact([[4, 6], [5, 5]]) (levels False/True x groups a/b)
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[6, 5], [4, 5]]).pvalue)
    assert any("Fisher's exact test (two-sided)" in note for note in t1.footnotes)


def test_sparse_three_by_three_warns() -> None:
    data = pd.DataFrame(
        {"x": list("abcabcabca"), "g": list("uvwvwuwuvu")},
    )
    with pytest.warns(StatisticalWarning, match="expected count"):
        t1 = table_one(data, variables=["x"], group="g")
    assert t1.table.iloc[1]["test"] == "Pearson's chi-squared"
    assert any("doubtful" in note for note in t1.footnotes)


def test_two_groups_mann_whitney_matches_scipy() -> None:
    a = [1.0, 4.0, 2.5, 8.0, 3.0]
    b = [5.0, 7.0, 9.5, 6.0, 11.0, 10.0]
    data = pd.DataFrame({"y": a + b, "g": ["a"] * 5 + ["b"] * 6})
    t1 = table_one(data, variables=["y"], group="g")
    row = t1.table.iloc[1]
    assert row["test"] == "Mann-Whitney U"
    # scipy.stats.mannwhitneyu(a, b, method="exact") (no ties, n < 50: R wilcox.test rule)
    assert row["p_value"] == pytest.approx(stats.mannwhitneyu(a, b, method="exact").pvalue)


def test_three_groups_kruskal_wallis_matches_scipy() -> None:
    a, b, c = [1.0, 2.0, 3.5], [4.0, 5.0, 6.0, 2.0], [7.0, 8.0, 9.0]
    data = pd.DataFrame({"y": a + b + c, "g": ["a"] * 3 + ["b"] * 4 + ["c"] * 3})
    t1 = table_one(data, variables=["y"], group="g")
    row = t1.table.iloc[1]
    assert row["test"] == "Kruskal-Wallis"
    # scipy.stats.kruskal(a, b, c)
    assert row["p_value"] == pytest.approx(stats.kruskal(a, b, c).pvalue)
    assert t1.groups == ("a", "b", "c")


def test_tableone_docstring_fixture() -> None:
    # docs/reference/statistics.md: tableone docstring, TableOne(df, groupby="fruit", pval=True)
    df = pd.DataFrame(
        {
            "size": [1, 2, 60, 1, 1],
            "fruit": ["peach", "orange", "peach", "peach", "orange"],
            "tasty": ["yes", "yes", "no", "yes", "no"],
        }
    )
    t1 = table_one(
        df,
        variables=["size", "tasty"],
        continuous={"size": "mean_sd"},
        group="fruit",
        welch=["size"],
    )
    # size: orange 1.5 (0.7), peach 20.7 (34.1), Welch t P = 0.433
    assert _cell(t1, "size", column="orange") == "1.5 (0.7)"
    assert _cell(t1, "size", column="peach") == "20.7 (34.1)"
    size = t1.table[t1.table["variable"] == "size"].iloc[0]
    assert size["test"] == "Welch t"
    assert round(size["p_value"], 3) == 0.433
    # tasty: P = 1.000 (Fisher's exact on a sparse 2 x 2)
    tasty = t1.table[(t1.table["variable"] == "tasty") & (t1.table["level"] == "")].iloc[0]
    assert (tasty["test"], round(tasty["p_value"], 3)) == ("Fisher's exact", 1.0)


def test_continuous_smd_independent() -> None:
    a, b = [1.0, 2.0, 4.0, 7.0], [3.0, 5.0, 6.0, 9.0, 12.0]
    data = pd.DataFrame({"y": a + b, "g": ["a"] * 4 + ["b"] * 5})
    t1 = table_one(data, variables=["y"], group="g")
    # tableone: |mean_a - mean_b| / sqrt((var_a + var_b) / 2), variances with n - 1
    expected = abs(np.mean(a) - np.mean(b)) / math.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)
    assert t1.table.iloc[1]["smd"] == pytest.approx(expected)


def _yang_dalton_last_reference(p1: np.ndarray, p2: np.ndarray) -> float:
    """Yang & Dalton 2012 with the LAST level dropped (the SMD does not depend on which)."""
    t, c = p1[:-1], p2[:-1]
    k = len(t)
    s = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            if i == j:
                s[i, j] = (t[i] * (1 - t[i]) + c[i] * (1 - c[i])) / 2
            else:
                s[i, j] = -(t[i] * t[j] + c[i] * c[j]) / 2
    d = t - c
    return float(math.sqrt(d @ np.linalg.solve(s, d)))


def test_categorical_smd_yang_dalton() -> None:
    x = list("aabbc") + list("abccc") + ["c"]
    data = pd.DataFrame({"x": x, "g": ["u"] * 5 + ["v"] * 6})
    t1 = table_one(data, variables=["x"], group="g")
    p1 = np.array([2, 2, 1]) / 5
    p2 = np.array([1, 1, 4]) / 6
    smd = t1.table[t1.table["variable"] == "x"].iloc[0]["smd"]
    assert smd == pytest.approx(_yang_dalton_last_reference(p1, p2))


def test_binary_smd_closed_form() -> None:
    data = _two_by_two(9)  # group a: 4/10 True, group b: 5/10 True
    t1 = table_one(data, variables=["x"], group="arm")
    # |0.4 - 0.5| / sqrt((0.4 * 0.6 + 0.5 * 0.5) / 2) = 0.1 / sqrt(0.245)
    assert t1.table.iloc[1]["smd"] == pytest.approx(0.1 / math.sqrt(0.245))


def test_disjoint_groups_smd_is_infinite() -> None:
    data = pd.DataFrame({"x": ["a", "a", "b", "b"], "g": ["u", "u", "v", "v"]})
    t1 = table_one(data, variables=["x"], group="g", tests=False)
    assert t1.table.iloc[1]["smd"] == math.inf


def test_missing_counts_and_denominators() -> None:
    data = pd.DataFrame(
        {
            "x": [True, False, None, True, None],
            "y": [1.0, np.nan, 3.0, 4.0, 5.0],
            "g": ["a", "a", "b", "b", None],
        }
    )
    t1 = table_one(data, variables=["x", "y"], group="g", tests=False)
    x = t1.table[t1.table["variable"] == "x"].iloc[0]
    # 2 missing; 2 True of 3 non-missing = 66.7 -> 67
    assert (x["missing"], x["Overall"]) == (2, "2 (67)")
    assert (x["a"], x["b"]) == ("1 (50)", "1 (100)")
    assert t1.table[t1.table["variable"] == "y"].iloc[0]["missing"] == 1
    assert _cell(t1, "n", column="a") == "2"
    assert any("Overall only" in note for note in t1.footnotes)


def test_options_drop_columns() -> None:
    data = _two_by_two(10)
    t1 = table_one(data, variables=["x"], group="arm", tests=False, smd=False, missing=False)
    assert list(t1.table.columns) == ["variable", "label", "level", "summary", "Overall", "a", "b"]
    ungrouped = table_one(data, variables=["x"])
    assert "p_value" not in ungrouped.table
    assert "smd" not in ungrouped.table


def test_every_input_changes_the_result() -> None:
    data = _aitmehdi_frame()
    base = table_one(data, variables=["female", "age"], continuous={"age": "median_range"})
    changed = data.copy()
    changed.loc[0, "female"] = False
    assert _cell(table_one(changed, variables=["female"]), "female", "True") == "34 (85)"
    changed = data.copy()
    changed.loc[39, "age"] = 80.0
    assert (
        _cell(table_one(changed, variables=["age"], continuous={"age": "median_range"}), "age")
        == "43.0 (22.0–80.0)"
    )
    # quartiles (R type 7): positions 1 + 39 * 0.25 = 10.75 and 30.25 -> 30 and 60;
    # mean = (22 + 540 + 86 + 1080 + 71) / 40 = 44.975 -> 45.0 half up;
    # SD = statistics.stdev(ages) = 15.4530 -> 15.5
    for kind, text in [("median_iqr", "43.0 [30.0, 60.0]"), ("mean_sd", "45.0 (15.5)")]:
        assert _cell(table_one(data, variables=["age"], continuous={"age": kind}), "age") == text
    assert _cell(base, "age") == "43.0 (22.0–71.0)"


def test_input_not_mutated() -> None:
    data = _aitmehdi_frame()
    before = data.copy()
    table_one(data, variables=["female", "severity"], group="smoking")
    pd.testing.assert_frame_equal(data, before)


def test_outputs_render() -> None:
    data = _two_by_two(10)
    t1 = table_one(data, variables=["x"], group="arm", labels={"x": "Female sex"})
    text = t1.to_text()
    assert "Female sex, n (%)" in text
    assert "[1]" in text
    payload = json.loads(json.dumps(t1.to_dict()))
    assert payload["groups"] == ["a", "b"]
    assert payload["rows"][0]["p_value"] is None
    assert list(t1.to_frame().columns) == [
        "Variable",
        "Overall",
        "a",
        "b",
        "Test",
        "p",
        "SMD",
        "Missing",
    ]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"variables": ["nope"]}, "variables", "column not found"),
        ({"variables": []}, "variables", "needs a list"),
        ({"variables": ["y", "y"]}, "variables", "listed twice"),
        ({"variables": ["y"], "categorical": ["z"]}, "categorical", "not one of variables"),
        (
            {"variables": ["y"], "categorical": ["y"], "continuous": {"y": "mean_sd"}},
            "continuous",
            "categorical too",
        ),
        ({"variables": ["y"], "continuous": {"y": "mode"}}, "continuous['y']", "unknown"),
        ({"variables": ["y"], "group": "nope"}, "group", "column not found"),
        ({"variables": ["y"], "group": "y"}, "group", "also a variable"),
        ({"variables": ["y"], "group": "one"}, "group", "non-missing value"),
        ({"variables": ["y"], "group": "g3", "welch": ["y"]}, "welch", "two groups"),
        ({"variables": ["y", "s"], "group": "g", "welch": ["s"]}, "welch", "not a continuous"),
        ({"variables": ["y"], "percent_digits": -1}, "percent_digits", ">= 0"),
        ({"variables": ["y"], "decimals": {"y": -2}}, "decimals['y']", ">= 0"),
        ({"variables": ["y"], "labels": {"q": "Q"}}, "labels", "not one of variables"),
        ({"variables": ["s"], "continuous": {"s": "mean_sd"}}, "s", "non-numeric"),
    ],
)
def test_rejections(kwargs: dict[str, object], field: str, message: str) -> None:
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0],
            "s": ["a", "b", "c"],
            "g": ["u", "v", "u"],
            "g3": ["u", "v", "w"],
            "one": ["u", "u", None],
        }
    )
    with pytest.raises(InputError) as info:
        table_one(data, **kwargs)  # type: ignore[arg-type]
    problem = info.value.problems[0]
    assert problem.field == field
    assert message in problem.message


def test_rejects_non_frame() -> None:
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        table_one([1, 2], variables=["x"])  # type: ignore[arg-type]
