"""``clears demo``: simulate a cohort, derive outcomes and write the study report.

The cohort is simulated with :func:`clears.simulate.simulate` under the ``aitmehdi2021``
preset (calibrated to Aitmehdi 2021, 40 patients); while the simulator is not installed the
bundled synthetic example cohort (``examples/cohort``) is used instead, and the command says
so. Outcomes are derived under ``aitmehdi2021`` and ``cortes2012``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["demo", "demo_cohort"]

#: Presets the demo derives outcomes under.
DEMO_CRITERIA = ("aitmehdi2021", "cortes2012")


def demo_cohort(n: int, seed: int) -> tuple[Any, str]:
    """Return ``(cohort, description)``: simulated when the simulator is present."""
    import numpy as np

    try:
        from clears.simulate import simulate  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from clears.cohort import read

        example = Path(__file__).resolve().parents[3] / "examples" / "cohort"
        cohort = read(example)
        return cohort, f"the bundled synthetic example cohort ({cohort.n_patients} patients)"
    cohort = simulate("aitmehdi2021", n, np.random.default_rng(seed))
    return cohort, f"{n} simulated patients (preset aitmehdi2021, seed {seed})"


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("."),
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulation.")] = 2021,
    n: Annotated[int, typer.Option("--n", help="Number of simulated patients.")] = 40,
) -> None:
    """Simulate a 40-patient cohort, derive outcomes and write clears-report.html.

    Example: clears demo --out demo_folder
    """
    from clears.cli.report import render

    cohort, described = demo_cohort(n, seed)
    out.mkdir(parents=True, exist_ok=True)
    written = render(
        cohort,
        out / "clears-report.html",
        criteria=list(DEMO_CRITERIA),
        title="clears demo: lenalidomide in cutaneous lupus erythematosus (synthetic data)",
    )
    typer.echo(f"Cohort: {described}.")
    typer.echo(f"Report written to {written.resolve()}")
