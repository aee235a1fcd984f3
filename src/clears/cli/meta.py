"""``clears meta``: meta-analysis of proportions from a CSV or the bundled studies."""

from __future__ import annotations

import json
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from clears._exceptions import InputError, Problem
from clears.cli._io import OutputFormat


class Outcome(StrEnum):
    """Outcome pooled from the bundled table."""

    cr = "cr"
    any = "any"
    ae_withdrawal = "ae_withdrawal"
    neuropathy = "neuropathy"
    thrombosis = "thrombosis"
    relapse = "relapse"


def _read_csv(path: str) -> Any:
    """The studies table as text cells, read as strictly as cohort files (a ragged row, a
    file that is not UTF-8: one problem each, with the line and the fix)."""
    from clears.cohort._csv import read_csv

    read = read_csv(Path(path))
    if isinstance(read, list):
        raise InputError(read)
    return read


def _shown(value: Any, spec: str, unit: str = "") -> str:
    """A number of a leave-one-out row; ``n/a`` when the refit could not compute it."""
    from clears._cells import is_missing

    if is_missing(value):
        return "n/a"
    return format(value, spec) + unit


def meta(
    studies_csv: Annotated[
        str | None,
        typer.Argument(
            metavar="STUDIES.csv",
            help="CSV with study,events,n (+ grouping columns). Omit with --bundled.",
        ),
    ] = None,
    measure: Annotated[str, typer.Option("--measure", help="PLO (logit), PFT, PR or PLN.")] = "PLO",
    method: Annotated[str, typer.Option("--method", help="REML, DL, PM, ML, EE or GLMM.")] = "REML",
    subgroup: Annotated[
        str | None, typer.Option("--subgroup", help="Column to pool separately (e.g. drug).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.text
    ),
    plot: Annotated[
        str | None, typer.Option("--plot", help="Write a forest plot (.png, .svg or .pdf).")
    ] = None,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Pool the bundled published CLE studies.")
    ] = False,
    outcome: Annotated[
        Outcome,
        typer.Option(
            "--outcome",
            help="With --bundled: cr, any, ae_withdrawal, neuropathy, thrombosis or relapse.",
        ),
    ] = Outcome.cr,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="With --bundled: pool this excluded study_id too."),
    ] = None,
    extra: Annotated[
        str | None,
        typer.Option("--extra", help="With --bundled: CSV of your own rows (same format)."),
    ] = None,
    add: Annotated[float, typer.Option("--add", help="Continuity correction.")] = 0.5,
    to: Annotated[
        str, typer.Option("--to", help="Corrected studies: only0, all, if0all or none.")
    ] = "only0",
    confidence: Annotated[
        float,
        typer.Option("--confidence", "--level", help="Confidence level (--level: older name)."),
    ] = 0.95,
    fallback: Annotated[
        str | None,
        typer.Option("--fallback", help="Estimator to use if --method does not converge."),
    ] = None,
    leave_one_out: Annotated[
        bool, typer.Option("--leave-one-out", help="Add leave-one-out results.")
    ] = False,
) -> None:
    """Pool proportions (metaprop); --bundled answers CR/any response by drug in CLE."""
    from clears.evidence import leave_one_out as loo
    from clears.evidence import metaprop, pooling_table, studies

    excluded: list[dict[str, Any]] = []
    name = studies_csv
    if bundled:
        if studies_csv is not None:
            raise InputError(
                Problem("STUDIES.csv", studies_csv, "give a CSV or --bundled, not both")
            )
        table = studies(extra)
        data, dropped = pooling_table(outcome.value, table=table, include=include or ())
        excluded = [{str(k): v for k, v in r.items()} for r in dropped.to_dict(orient="records")]
        name = "bundled studies.csv"
    else:
        if studies_csv is None:
            raise InputError(Problem("STUDIES.csv", None, "missing", "a CSV path, or --bundled"))
        data = _read_csv(studies_csv)
    kwargs: dict[str, Any] = {
        "measure": measure,
        "method": method,
        "add": add,
        "to": to,
        "confidence": confidence,
        "fallback": fallback,
        "file": name,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = metaprop(data, subgroup=subgroup, **kwargs)
        loo_rows = loo(data, **kwargs).to_dict(orient="records") if leave_one_out else None
    messages = sorted({str(w.message) for w in caught})
    for message in messages:
        sys.stderr.write(f"warning: {message}\n")
    if plot:
        from clears.plots import forest_figure, write_figure

        write_figure(forest_figure(result), Path(plot))
    payload = result.to_dict()
    if bundled:
        payload["outcome"] = outcome.value
        payload["contributing_studies"] = len(data)
        payload["excluded"] = excluded
    if loo_rows is not None:
        payload["leave_one_out"] = loo_rows
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    text = result.to_text()
    if bundled:
        text += (
            f"Outcome: {outcome.value}; {len(data)} studies contribute. "
            "Excluded from pooling (an outcome not reported is left out, not counted as 0):\n"
        )
        text += "".join(f"  - {e['study']} ({e['drug']}): {e['reason']}\n" for e in excluded)
    if loo_rows is not None:
        text += "Leave-one-out:\n" + "".join(
            f"  without {r['omitted']}: {_shown(r['estimate'], '.3f')} "
            f"[{_shown(r['ci_low'], '.3f')}, {_shown(r['ci_high'], '.3f')}], "
            f"I2={_shown(r['i2'], '.1f', '%')}\n"
            for r in loo_rows
        )
    if plot:
        text += f"Forest plot written to {plot}\n"
    sys.stdout.write(text)
