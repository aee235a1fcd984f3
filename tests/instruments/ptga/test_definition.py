"""PtGA fixtures: an 11-point NRS, 0-10 (Guo 2021, doi:10.1136/lupus-2021-000529, names the
domain; no instrument or bands are recommended)."""

from __future__ import annotations

from clears.instruments import ptga


def test_one_column_0_to_10() -> None:
    assert ptga.DEFINITION.columns == ("ptga",)
    assert ptga.RATING.codes == tuple(range(11))


def test_reference_is_the_core_outcome_set() -> None:
    assert ptga.REFERENCE.doi == "10.1136/lupus-2021-000529"
