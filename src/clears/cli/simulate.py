"""``clears simulate``: write a virtual cohort, or print its calibration report."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["simulate"]

_MAX_N = 100_000


def _preset(value: str) -> str:
    from clears.simulate import PRESETS

    if value not in PRESETS:
        raise typer.BadParameter(f"{value!r} is not a preset; allowed: {', '.join(PRESETS)}")
    return value


def _n(value: int) -> int:
    if not 1 <= value <= _MAX_N:
        raise typer.BadParameter(f"{value} patients; allowed: 1 to {_MAX_N}")
    return value


def simulate(
    preset: str = typer.Option(
        "aitmehdi2021", "--preset", callback=_preset, help="aitmehdi2021 or cortes2012."
    ),
    n: int = typer.Option(40, "--n", callback=_n, help="Number of patients (1-100000)."),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed (same seed, same files)."),
    out: Path | None = typer.Option(None, "--out", help="Folder for the cohort CSV files."),  # noqa: B008
    calibration: bool = typer.Option(
        False, "--calibration", help="Print published vs simulated figures instead."
    ),
) -> None:
    """Simulate a cohort calibrated to a published series (cohort tables v1)."""
    import numpy as np

    from clears.simulate import calibrate
    from clears.simulate import simulate as run

    rng = np.random.default_rng(seed)
    if calibration:
        frame = calibrate(preset, n=n, rng=rng)
        cols = ["figure", "published", "simulated", "low", "high", "inside", "n_published"]
        typer.echo(frame[cols].round(3).to_string(index=False))
        typer.echo(f"method: {frame['method'].iloc[0]}")
        typer.echo("sources: " + "; ".join(sorted(set(frame["source"]))))
        typer.echo("contradictions between/within the papers:")
        for line in frame.attrs["contradictions"]:
            typer.echo(f"  - {line}")
        return
    if out is None:
        raise typer.BadParameter("required unless --calibration is given", param_hint="'--out'")
    cohort = run(preset, n, rng)
    from clears.cohort import write

    write(cohort, out)
    typer.echo(f"wrote {cohort.n_patients} simulated patients ({cohort.source}) to {out}")
