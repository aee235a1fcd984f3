"""``clears advise``: decision support for one patient, or a protocol-deviation report."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from clears.cli._io import OutputFormat, iso_date

__all__ = ["advise"]


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def advise(
    cohort: Annotated[str, typer.Argument(help="Cohort folder (CSV or Parquet tables).")],
    patient: Annotated[
        str | None, typer.Option("--patient", help="Patient id to advise on.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Advise as of this date (default: today).")
    ] = None,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Bundled protocol name or a .toml/.yaml file.")
    ] = "cortes2012",
    all_patients: Annotated[
        bool, typer.Option("--all", help="Every patient in the cohort.")
    ] = False,
    deviations: Annotated[
        bool,
        typer.Option(
            "--deviations",
            help="With --all: list visits where the dose differed from the protocol.",
        ),
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.json,
) -> None:
    """Dose action, monitoring, alerts and eligibility under a protocol.

    The default protocol is Cortés-Hernández 2012.
    """
    from clears import cohort as cohort_io
    from clears import protocol as engine

    if (patient is None) == (not all_patients):
        raise typer.BadParameter(
            "give exactly one of --patient ID or --all", param_hint="--patient/--all"
        )
    if deviations and not all_patients:
        raise typer.BadParameter("--deviations needs --all", param_hint="--deviations")
    day = iso_date(as_of, option="--as-of")
    definition = engine.load_protocol(protocol)
    data = cohort_io.read(cohort)
    if deviations:
        table = engine.deviations(data, protocol=definition, only_deviations=True)
        if fmt is OutputFormat.json:
            records = table.assign(visit_date=table["visit_date"].dt.date.astype(str)).to_dict(
                "records"
            )
            _write_json(
                {"protocol": f"{definition.name} {definition.version}", "deviations": records}
            )
        else:
            sys.stdout.write(
                f"Protocol deviations ({definition.name} {definition.version}): {len(table)}\n"
            )
            if len(table):
                sys.stdout.write(table.drop(columns=["reference"]).to_string(index=False) + "\n")
        return
    ids = [patient] if patient is not None else list(data.patients["patient_id"].astype(str))
    results = [engine.advise(data, pid, as_of=day, protocol=definition) for pid in ids]
    if fmt is OutputFormat.json:
        _write_json(results[0].to_dict() if patient is not None else [r.to_dict() for r in results])
    else:
        sys.stdout.write("\n".join(r.to_text() for r in results))
