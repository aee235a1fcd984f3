"""``clears design``: Simon two-stage designs and power curves by simulation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from clears.simulate.calibration import ResponseSampler

__all__ = ["app"]

app = typer.Typer(help="Trial design: Simon two-stage designs, power by simulation.")


def _arm(value: str) -> float | ResponseSampler:
    """A rate (``0.4``) or a virtual-cohort endpoint (``PRESET:WEEK``)."""
    from clears.simulate import PRESETS, response_sampler

    allowed = f"a rate 0-1, or PRESET:WEEK with PRESET one of {', '.join(PRESETS)}"
    name, colon, week = value.partition(":")
    if colon:
        if name not in PRESETS or not week.isdigit() or not 1 <= int(week) <= 520:
            raise typer.BadParameter(
                f"{value!r}; allowed: {allowed} and WEEK 1-520", param_hint="'--treatment'"
            )
        return response_sampler(name, int(week))
    try:
        return float(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}; allowed: {allowed}", param_hint="'--treatment'"
        ) from None


def _sizes(value: str) -> list[int]:
    try:
        return [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}; allowed: comma-separated whole numbers, e.g. 10,20,30",
            param_hint="'--sizes'",
        ) from None


@app.command("simon")
def simon(
    p0: float = typer.Option(..., "--p0", help="Response rate not worth pursuing."),
    p1: float = typer.Option(..., "--p1", help="Promising response rate."),
    alpha: float = typer.Option(0.05, "--alpha"),
    beta: float = typer.Option(0.20, "--beta"),
    nmax: int = typer.Option(100, "--nmax"),
) -> None:
    """Simon (1989) optimal and minimax two-stage designs."""
    from clears.design import simon_two_stage

    typer.echo(simon_two_stage(p0, p1, alpha=alpha, beta=beta, nmax=nmax).to_text())


@app.command("power")
def power(
    treatment: str = typer.Option(
        ..., "--treatment", help="Rate, or PRESET:WEEK (e.g. cortes2012:12)."
    ),
    control: float | None = typer.Option(None, "--control", help="Control rate (two-arm)."),
    p0: float | None = typer.Option(None, "--p0", help="Fixed rate (single-arm)."),
    sizes: str = typer.Option("10,20,30,40,60", "--sizes", help="Comma-separated sizes."),
    alpha: float = typer.Option(0.05, "--alpha"),
    n_sim: int = typer.Option(10_000, "--n-sim"),
    seed: int = typer.Option(1, "--seed", min=0),
    plot: Path | None = typer.Option(None, "--plot", help="Write the power curve (PNG)."),  # noqa: B008
) -> None:
    """Power by simulation over a grid of sample sizes (two-arm or single-arm)."""
    import numpy as np

    from clears.design import power_single_arm, power_two_arm

    if (control is None) == (p0 is None):
        raise typer.BadParameter(
            "give exactly one of --control (two-arm) or --p0 (single-arm)",
            param_hint="'--control' / '--p0'",
        )
    if plot is not None and plot.suffix.lower() != ".png":
        raise typer.BadParameter(f"{str(plot)!r} is not a .png file", param_hint="'--plot'")
    arm = _arm(treatment)
    grid = _sizes(sizes)
    rng = np.random.default_rng(seed)
    if control is not None:
        curve = power_two_arm(control, arm, grid, rng=rng, alpha=alpha, n_sim=n_sim)
    else:
        single_p0 = float(p0) if p0 is not None else float("nan")
        curve = power_single_arm(single_p0, arm, grid, rng=rng, alpha=alpha, n_sim=n_sim)
    typer.echo(curve.frame.round(4).to_string(index=False))
    typer.echo(f"method: {curve.method}; {curve.n_sim} trials per size; alpha {curve.alpha:g}")
    if plot is not None:
        curve.plot(plot)
        typer.echo(f"plot written to {plot}")
