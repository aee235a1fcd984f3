"""The public API is exactly what ``__all__`` says, sorted."""

import clears
import clears.instruments


def test_top_level_all_is_sorted_and_complete() -> None:
    assert clears.__all__ == sorted(clears.__all__)
    for name in clears.__all__:
        assert hasattr(clears, name)


def test_instruments_all_is_sorted_and_complete() -> None:
    assert clears.instruments.__all__ == sorted(clears.instruments.__all__)
    for name in clears.instruments.__all__:
        assert getattr(clears.instruments, name).__module__.startswith("clears.")
