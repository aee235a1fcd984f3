"""clears.analysis exports exactly its sorted __all__, each from a clears module."""

import clears.analysis


def test_all_sorted_and_resolvable() -> None:
    assert clears.analysis.__all__ == sorted(clears.analysis.__all__)
    for name in clears.analysis.__all__:
        assert hasattr(clears.analysis, name)
