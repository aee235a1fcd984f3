"""Compare two built reports part by part (tables cell by cell, figures byte for byte)."""

from __future__ import annotations

import pandas as pd

from clears.report import Report


def assert_same_report(left: Report, right: Report) -> None:
    """Fail unless ``left`` and ``right`` print the same report: title, facts, every
    paragraph, table (cells and footnotes) and figure (PNG bytes and caption), the methods
    and the warnings."""
    assert left.title == right.title
    assert left.facts == right.facts
    assert [s.key for s in left.sections] == [s.key for s in right.sections]
    for one, other in zip(left.sections, right.sections, strict=True):
        assert one.title == other.title, one.key
        assert one.paragraphs == other.paragraphs, one.key
        assert [t.key for t in one.tables] == [t.key for t in other.tables], one.key
        for a, b in zip(one.tables, other.tables, strict=True):
            assert (a.title, a.footnotes) == (b.title, b.footnotes), a.key
            pd.testing.assert_frame_equal(a.frame, b.frame, obj=a.key)
        assert [f.key for f in one.figures] == [f.key for f in other.figures], one.key
        for f, g in zip(one.figures, other.figures, strict=True):
            assert (f.title, f.caption) == (g.title, g.caption), f.key
            assert f.png == g.png, f"figure {f.key} differs"
    assert left.methods == right.methods
    assert left.warnings == right.warnings
