"""Response-by-subgroup figure."""

from __future__ import annotations

import pandas as pd
import pytest

from clears import InputError
from clears.analysis import response_rates
from clears.plots import subgroup_figure

DATA = pd.DataFrame(
    {
        "best": ["complete", "partial", "none", "complete", "none", "none"],
        "sle": [True, True, False, False, False, True],
    }
)


def test_one_row_per_level_with_counts() -> None:
    rates = response_rates(DATA, outcome="best", success=["complete", "partial"], by=["sle"])
    ax = subgroup_figure(rates).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["Overall", "sle: False", "sle: True"]
    # responders/n by hand: overall 3/6, sle False 1/3, sle True 2/3
    assert sorted(t.get_text() for t in ax.texts) == ["1/3", "2/3", "3/6"]


def test_missing_ci_columns_rejected() -> None:
    rates = response_rates(DATA, outcome="best", success="complete", methods=["exact"])
    with pytest.raises(InputError, match="ci_low_wilson"):
        subgroup_figure(rates, method="wilson")
