"""``clears outcomes``: derive per-patient outcomes of a cohort under criteria presets."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from clears.cli._io import print_warning
from clears.cli.score import SevereReading

__all__ = ["outcomes"]


class TableFormat(StrEnum):
    """How ``clears outcomes`` prints its result."""

    csv = "csv"
    json = "json"


class Table(StrEnum):
    """Which table a CSV output holds."""

    outcomes = "outcomes"
    summary = "summary"
    compare = "compare"


def _json_ready(frame: Any) -> list[dict[str, Any]]:
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").astype(object)
    records: list[dict[str, Any]] = json.loads(out.to_json(orient="records"))
    return records


def _presets(names: list[str]) -> list[Any]:
    from clears.criteria import resolve

    parts = (part.strip() for name in names for part in name.split(","))
    return [resolve(part) for part in parts if part]


def outcomes(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Argument(help="Cohort folder (CSV or Parquet tables).")],
    criteria: Annotated[
        list[str] | None,
        typer.Option(
            "--criteria",
            "-c",
            help="Preset names or .toml preset files; several may follow one --criteria.",
        ),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = (
        TableFormat.csv
    ),
    table: Annotated[
        Table, typer.Option("--table", help="With --format csv: which table to print.")
    ] = Table.outcomes,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    drug: Annotated[str, typer.Option("--drug", help="The studied drug.")] = "lenalidomide",
    baseline_window_days: Annotated[
        int, typer.Option("--baseline-window-days", help="Baseline window before index.")
    ] = 30,
    sustained_days: Annotated[
        int, typer.Option("--sustained-days", help="Days a dose must hold the response.")
    ] = 180,
    course_gap_days: Annotated[
        int, typer.Option("--course-gap-days", help="Gap that starts a new course.")
    ] = 28,
    flare_severe_reading: Annotated[
        SevereReading | None,
        typer.Option(
            "--flare-severe-reading",
            help="SFI severe SLEDAI flare: 'to' (rise takes the total above 12) or 'change' "
            "(rise above 12). Default: each flare rule's own reading.",
        ),
    ] = None,
) -> None:
    """Derive response, relapse, dosing, exposure and flare outcomes per patient and preset.

    Example: clears outcomes my_cohort --criteria aitmehdi2021 cortes2012 --format json
    """
    from clears.cohort import read
    from clears.outcomes import compare, derive, summarise

    names = list(criteria or []) + [a for a in ctx.args if not a.startswith("-")]
    unknown = [a for a in ctx.args if a.startswith("-")]
    if unknown:
        raise typer.BadParameter(f"unknown option {unknown[0]}")
    presets = _presets(names or ["aitmehdi2021"])
    reading = None if flare_severe_reading is None else str(flare_severe_reading.value)
    loaded = read(cohort, on_warning=print_warning)
    frame = derive(
        loaded,
        presets,
        drug=drug,
        baseline_window_days=baseline_window_days,
        sustained_days=sustained_days,
        course_gap_days=course_gap_days,
        flare_severe_reading=reading,
    )
    if frame.empty:
        from clears.outcomes._empty import no_outcomes_reason

        sys.stderr.write(f"note: {no_outcomes_reason(loaded, drug)}\n")
    summary = summarise(frame)
    if fmt is TableFormat.json:
        payload: dict[str, Any] = {
            "criteria": [
                {
                    "name": p.name,
                    "version": p.version,
                    "title": p.title,
                    "reference": p.reference.to_dict(),
                }
                for p in presets
            ],
            "settings": {
                "drug": drug,
                "baseline_window_days": baseline_window_days,
                "sustained_days": sustained_days,
                "course_gap_days": course_gap_days,
                "flare_severe_reading": reading,
            },
            "outcomes": _json_ready(frame),
            "summary": _json_ready(summary),
        }
        if len(presets) > 1:
            payload["comparison"] = _json_ready(compare(frame))
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    else:
        chosen = {Table.outcomes: frame, Table.summary: summary}.get(table)
        if chosen is None:
            chosen = compare(frame)
        text = chosen.to_csv(index=False, date_format="%Y-%m-%d")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
