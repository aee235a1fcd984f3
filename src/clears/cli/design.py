"""``clears design``: Simon two-stage designs and power curves by simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

__all__ = ["app"]

app = typer.Typer(help="Trial design: Simon two-stage designs, power by simulation.")


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
    seed: int = typer.Option(1, "--seed"),
    plot: Path | None = typer.Option(None, "--plot", help="Write the power curve (PNG)."),  # noqa: B008
) -> None:
    """Power by simulation over a grid of sample sizes (two-arm or single-arm)."""
    from clears.design import power_single_arm, power_two_arm
    from clears.simulate import response_sampler

    if (control is None) == (p0 is None):
        raise typer.BadParameter("give exactly one of --control (two-arm) or --p0 (single-arm)")
    arm = (
        response_sampler(treatment.split(":")[0], int(treatment.split(":")[1]))
        if ":" in treatment
        else float(treatment)
    )
    grid = [int(x) for x in sizes.split(",") if x.strip()]
    rng = np.random.default_rng(seed)
    if control is not None:
        curve = power_two_arm(control, arm, grid, rng=rng, alpha=alpha, n_sim=n_sim)
    else:
        curve = power_single_arm(float(p0 or 0.0), arm, grid, rng=rng, alpha=alpha, n_sim=n_sim)
    typer.echo(curve.frame.round(4).to_string(index=False))
    typer.echo(f"method: {curve.method}; {curve.n_sim} trials per size; alpha {curve.alpha:g}")
    if plot is not None:
        curve.plot(plot)
        typer.echo(f"plot written to {plot}")
