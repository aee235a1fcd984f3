"""clears.protocol exports exactly its sorted ``__all__``."""

import clears.protocol


def test_protocol_all_is_sorted_and_complete() -> None:
    assert clears.protocol.__all__ == sorted(clears.protocol.__all__)
    for name in clears.protocol.__all__:
        assert hasattr(clears.protocol, name)
