"""The forest plot: a Figure built without pyplot, written as PNG, SVG or PDF."""

from pathlib import Path

import pandas as pd
import pytest

from clears._exceptions import InputError
from clears.evidence import metaprop
from clears.plots import forest_figure, write_figure

DF = pd.DataFrame(
    {"study": list("abcd"), "events": [3, 6, 10, 1], "n": [11, 17, 21, 6], "drug": list("xxyy")}
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"), (".pdf", b"%PDF")],
)
def test_forest_plot_writes_a_real_image(tmp_path: Path, suffix: str, magic: bytes) -> None:
    res = metaprop(DF, method="REML", subgroup="drug")
    out = write_figure(forest_figure(res), tmp_path / f"forest{suffix}")
    data = out.read_bytes()
    assert data.startswith(magic)
    assert len(data) > 5000
    with pytest.raises(InputError, match="unsupported file type"):
        write_figure(forest_figure(res), tmp_path / "forest.jpg")
    assert not (tmp_path / "forest.jpg").exists()


@pytest.mark.slow
def test_forest_plot_for_glmm(tmp_path: Path) -> None:
    out = write_figure(forest_figure(metaprop(DF, method="GLMM")), tmp_path / "g.png")
    assert out.stat().st_size > 5000


def test_forest_figure_leaves_no_pyplot_state() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    fig = forest_figure(metaprop(DF, method="REML", subgroup="drug"))
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before
    # One row label per study, per subgroup (heading and diamond) and the overall rows:
    # 4 studies + 2 x 2 subgroup rows + overall + prediction interval = 10 left labels.
    left = [t for t in fig.axes[0].texts if t.get_horizontalalignment() == "right"]
    assert len(left) == 10
