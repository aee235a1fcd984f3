"""The bundled study table: sources, overlaps, exclusions and user rows."""

import pandas as pd
import pytest

from clears._exceptions import InputError
from clears.evidence import pooling_table, studies


def test_every_row_has_a_source_and_counts_match_evidence_md() -> None:
    table = studies()
    assert (table["source"].str.len() > 0).all()
    row = table.set_index("study_id")
    # docs/reference/published-figures.md: Cortes-Hernandez 2012 CR 12/14, any 14/14;
    # Aitmehdi 2021 CR 17/40, any 35/40; Kindle 2016 CR 5/9
    assert (row.loc["cortes2012", "n_cr"], row.loc["cortes2012", "n_evaluable"]) == (12, 14)
    assert (row.loc["aitmehdi2021", "n_cr"], row.loc["aitmehdi2021", "n_any_response"]) == (17, 35)
    assert row.loc["kindle2016", "n_cr"] == 5
    assert "17/35" in row.loc["aitmehdi2021", "inconsistencies"]
    assert "26.5%" in row.loc["reymann", "inconsistencies"]


def test_overlaps_are_flagged_and_excluded_by_default() -> None:
    table = studies().set_index("study_id")
    assert table.loc["okon_52wk", "overlap_group"] == table.loc["braunstein2012", "overlap_group"]
    inc, exc = pooling_table("any")
    reasons = exc.set_index("study")["reason"]
    assert "same 5 patients as braunstein2012" in reasons["okon_52wk"]
    assert "braunstein2012" in set(inc["study"])
    assert "okon_52wk" not in set(inc["study"])
    inc2, _ = pooling_table("any", include=["okon_52wk"])
    assert "okon_52wk" in set(inc2["study"])


def test_missing_counts_are_excluded_with_reason_and_denominators_named() -> None:
    inc, exc = pooling_table("cr")
    reasons = exc.set_index("study")["reason"]
    assert reasons["braunstein2012"] == "n_cr not reported"
    kyr = inc.set_index("study").loc["kyriakis_dle"]
    assert (kyr["events"], kyr["n"]) == (12, 22)
    assert kyr["denominator"].startswith("n_treated")
    lena, _ = pooling_table("cr", drugs=["lenalidomide"])
    assert set(lena["drug"]) == {"lenalidomide"}


def test_user_rows_are_added_and_validated(tmp_path: pytest.TempPathFactory) -> None:
    extra = pd.DataFrame(
        {"study_id": ["mycentre"], "drug": ["lenalidomide"], "n_treated": ["8"],
         "n_evaluable": ["8"], "n_cr": ["3"], "source": ["own registry (synthetic)"]}
    )  # fmt: skip
    table = studies(extra)
    assert table.iloc[-1]["origin"] == "user"
    inc, _ = pooling_table("cr", table=table)
    assert "mycentre" in set(inc["study"])
    bad = extra.assign(drug="pomalidomide", n_cr="x")
    with pytest.raises(InputError) as err:
        studies(bad)
    assert "drug: unknown drug" in str(err.value)
    assert "n_cr: not a count" in str(err.value)
    with pytest.raises(InputError, match="duplicated"):
        studies(extra.assign(study_id="cortes2012"))
    with pytest.raises(InputError, match="outcome: unknown outcome"):
        pooling_table("remission")
    with pytest.raises(InputError, match="include: no such study_id"):
        pooling_table("cr", include=["nope"])
