"""``clears score``: score one instrument record from JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from clears.cli._io import OutputFormat, emit, read_json

app = typer.Typer(help="Score one record of an instrument from JSON (a file, or - for stdin).")

FileArg = Annotated[str, typer.Argument(help="JSON file to score, or - to read standard input.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


class SledaiVariant(StrEnum):
    """Which SLEDAI scoring convention to apply."""

    sledai2k = "sledai2k"
    selena = "selena"


class FlareRule(StrEnum):
    """Which flare definition to apply between two visits."""

    sfi = "sfi"
    cortes2012 = "cortes2012"


class SevereReading(StrEnum):
    """How the severe SLEDAI criterion is read (clears.instruments.flare.SEVERE_READINGS).

    ``clears score flare`` and ``clears outcomes`` both offer it.
    """

    to = "to"
    change = "change"


class MildReading(StrEnum):
    """How the mild SLEDAI-increase threshold is read (``ge3``: ≥ 3, ``gt3``: > 3)."""

    ge3 = "ge3"
    gt3 = "gt3"


@app.command("clasi")
def clasi(
    file: FileArg,
    fmt: FormatOpt = OutputFormat.json,
    partial: Annotated[
        bool, typer.Option("--partial", help="Score the items given and list the missing ones.")
    ] = False,
) -> None:
    """Score CLASI activity and damage (Albrecht 2005) with severity (Klein 2011)."""
    from clears.instruments import clasi as instrument

    emit(instrument.score_mapping(read_json(file), partial=partial), fmt)


@app.command("sledai")
def sledai(
    file: FileArg,
    fmt: FormatOpt = OutputFormat.json,
    variant: Annotated[
        SledaiVariant,
        typer.Option(
            "--variant",
            help="sledai2k counts persistent rash/alopecia/ulcers/proteinuria; selena only new.",
        ),
    ] = SledaiVariant.sledai2k,
) -> None:
    """Score SLEDAI-2K (Gladman 2002) or SELENA-SLEDAI."""
    from clears.instruments import sledai as instrument

    emit(instrument.score_mapping(read_json(file), variant=variant.value), fmt)


@app.command("flare")
def flare(
    file: FileArg,
    fmt: FormatOpt = OutputFormat.json,
    rule: Annotated[FlareRule, typer.Option("--rule", help="Flare definition.")] = FlareRule.sfi,
    severe_reading: Annotated[
        SevereReading,
        typer.Option(
            "--severe-reading", help="'to': score rises to > 12; 'change': increase > 12."
        ),
    ] = SevereReading.to,
    mild_reading: Annotated[
        MildReading | None,
        typer.Option(
            "--mild-reading", help="Override the mild threshold (default: the rule's own)."
        ),
    ] = None,
) -> None:
    """Classify a flare between two visits (SELENA flare index or Cortés-Hernández 2012)."""
    from clears.instruments import flare as instrument

    emit(
        instrument.score_mapping(
            read_json(file),
            rule=rule.value,
            severe_reading=severe_reading.value,
            mild_reading=None if mild_reading is None else mild_reading.value,
        ),
        fmt,
    )


@app.command("ctcae")
def ctcae(file: FileArg, fmt: FormatOpt = OutputFormat.json) -> None:
    """Grade a laboratory value by CTCAE v5.0.

    JSON keys: test, value, unit; optional lln, lln_unit, transfusion_indicated.

    An lln without lln_unit is in the canonical unit (10^9/L, or g/dL for haemoglobin).
    """
    from clears.instruments import ctcae as instrument

    emit(instrument.score_mapping(read_json(file)), fmt)


PartialOpt = Annotated[
    bool, typer.Option("--partial", help="Allow a missing value (it is reported as missing).")
]


@app.command("cla-iga")
def cla_iga(file: FileArg, fmt: FormatOpt = OutputFormat.json, partial: PartialOpt = False) -> None:
    """Check and label a CLA-IGA grade, 0 clear to 4 severe (JSON: grade)."""
    from clears.instruments import cla_iga as instrument

    emit(instrument.score_mapping(read_json(file), partial=partial), fmt)


@app.command("ptga")
def ptga(file: FileArg, fmt: FormatOpt = OutputFormat.json, partial: PartialOpt = False) -> None:
    """Check a patient global assessment of skin disease activity, 0-10 (JSON: rating)."""
    from clears.instruments import ptga as instrument

    emit(instrument.score_mapping(read_json(file), partial=partial), fmt)


@app.command("nrs")
def nrs(file: FileArg, fmt: FormatOpt = OutputFormat.json, partial: PartialOpt = False) -> None:
    """Check itch and pain NRS, 0-10, with the itch band (Reich 2012) (JSON: itch, pain)."""
    from clears.instruments import nrs as instrument

    emit(instrument.score_mapping(read_json(file), partial=partial), fmt)


@app.command("dlqi")
def dlqi(file: FileArg, fmt: FormatOpt = OutputFormat.json) -> None:
    """Score the DLQI, 0-30, with its band (Finlay & Khan 1994; Hongbo 2005) (JSON: q1-q10).

    Codes 0-3; 9 = not relevant (items 3-10). One unanswered item scores 0; two or more: no
    total.
    """
    from clears.instruments import dlqi as instrument

    emit(instrument.score_mapping(read_json(file)), fmt)


@app.command("skindex")
def skindex(
    file: FileArg,
    fmt: FormatOpt = OutputFormat.json,
    max_missing: Annotated[
        float | None,
        typer.Option(
            "--max-missing",
            help="Largest fraction of a domain's items that may be unanswered "
            "(default: the definition's MAX_MISSING_FRACTION, a quarter).",
        ),
    ] = None,
) -> None:
    """Score Skindex-29+3: symptoms, emotions, functioning, lupus-specific, 0-100 (JSON: q1-q33).

    Codes 0 never to 4 all the time; item 18 is in no domain. A domain with more than a
    quarter of its items unanswered is not scored (clears' choice; see --max-missing).
    """
    from clears.instruments import skindex as instrument

    limit = instrument.MAX_MISSING_FRACTION if max_missing is None else max_missing
    emit(instrument.score_mapping(read_json(file), max_missing=limit), fmt)
