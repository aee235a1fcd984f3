"""``clears advise``: decision support for one patient, a protocol-deviation report, or the
safety worklist (``--all --alerts``), from a cohort folder or the registry (``--db``)."""

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
    cohort: Annotated[
        str | None,
        typer.Argument(
            help="Cohort folder (CSV or Parquet tables); or use --db.", show_default=False
        ),
    ] = None,
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
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts",
            help="With --all: the safety worklist, every patient whose situation fires a "
            "safety rule (or whose monitoring is overdue), most urgent first.",
        ),
    ] = False,
    centre: Annotated[
        list[str] | None,
        typer.Option("--centre", help="Only the patients of this centre code; repeatable."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Read the registry at this database URL instead of a cohort folder.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.json,
) -> None:
    """Dose action, monitoring, alerts and eligibility under a protocol.

    The default protocol is Cortés-Hernández 2012.

    Example: clears advise my_cohort --all --alerts --as-of 2024-06-01 --format text

    Example: clears advise --db sqlite:///clears.db --all --alerts --centre BCN
    """
    from clears import protocol as engine
    from clears.cli._patient_option import patient_option
    from clears.cli.report import load_cohort

    if (patient is None) == (not all_patients):
        raise typer.BadParameter(
            "give exactly one of --patient ID or --all", param_hint="--patient/--all"
        )
    if deviations and not all_patients:
        raise typer.BadParameter("--deviations needs --all", param_hint="--deviations")
    if alerts and not all_patients:
        raise typer.BadParameter("--alerts needs --all", param_hint="--alerts")
    if alerts and deviations:
        raise typer.BadParameter(
            "give one of --alerts or --deviations", param_hint="--alerts/--deviations"
        )
    if centre and not alerts:
        raise typer.BadParameter("--centre needs --all --alerts", param_hint="--centre")
    if patient is not None:
        patient = patient_option(patient)
    day = iso_date(as_of, option="--as-of")
    definition = engine.load_protocol(protocol)
    data = load_cohort(cohort, db)
    if alerts:
        found = engine.worklist(data, as_of=day, protocol=definition, centres=centre or None)
        if fmt is OutputFormat.json:
            _write_json(found.to_dict())
        else:
            sys.stdout.write(found.to_text())
        return
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
