"""``clears dq``: run the data-quality rules over a cohort folder or the registry.

Exit status: 0 when no error-level finding, 1 when there is one (or bad input), 2 usage.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Data-quality rules (docs/quality.md).", no_args_is_help=True)


class DqFormat(StrEnum):
    """How ``clears dq run`` prints its report."""

    text = "text"
    csv = "csv"
    json = "json"


@app.command("run")
def run(
    cohort: Annotated[str | None, typer.Argument(help="Cohort folder; or use --db.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database URL.")] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Rules file adding, overriding, disabling.")
    ] = None,
    centre: Annotated[
        list[str] | None, typer.Option("--centre", help="Only these centres.")
    ] = None,
    fmt: Annotated[DqFormat, typer.Option("--format", "-f", help="Output format.")] = (
        DqFormat.text
    ),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Check the cohort against the bundled rules (and --rules); exit 1 on error findings.

    Example: clears dq run --db sqlite:///clears.db --centre BCN --format csv
    """
    from clears.cli.report import load_cohort
    from clears.quality import bundled_rules, evaluate, load_rules, merge_rules

    chosen = bundled_rules()
    if rules is not None:
        extra, disable = load_rules(rules)
        chosen = merge_rules(chosen, extra, disable)
    needed: dict[str, set[str]] = {}
    for rule in chosen:
        for table, names in rule.columns().items():
            needed.setdefault(table, set()).update(names)
    loaded = load_cohort(cohort, db, columns=needed)
    result = evaluate(loaded, chosen)
    found = result.findings
    if centre:
        found = found.loc[found["centre"].isin(centre)]
    if fmt is DqFormat.csv:
        text = found.to_csv(index=False)
    elif fmt is DqFormat.json:
        text = found.to_json(orient="records", indent=1) + "\n"
    else:
        lines: list[str] = []
        for name, part in found.groupby("centre", sort=True):
            lines.append(f"centre {name}: {len(part)} findings")
            counts = part.groupby(["rule_id", "severity"]).size().reset_index(name="n")
            for rid, sev, n in counts.itertuples(index=False):
                lines.append(f"  {rid} ({sev}): {n}")
            for row in part.itertuples():
                lines.append(
                    f"  {row.patient_id} {row.table} {row.record} {row.field}: {row.message}"
                )
        text = "\n".join(lines or ["no findings"]) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    if bool((found["severity"] == "error").any()):
        raise typer.Exit(1)
