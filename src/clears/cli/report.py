"""``clears report``: one self-contained HTML study report, tables also as DOCX and XLSX.

The cohort comes from a folder of cohort tables or, with ``--db``, from the registry through
:func:`clears.registry.exporter.export_cohort` (the report never queries the database itself).

With ``--db`` only the columns the report reads are fetched
(:data:`clears.report.REPORT_COLUMNS`: not the item columns of every visit). The report is
still built here, in this process, with every option and a
progress bar, and needs no server or job worker: a researcher asking for a file gets it
now, where they asked. ``clears jobs submit report --wait`` queues it for the registry's job
workers instead (docs/registry.md, "Background jobs").
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from clears.report.plans import Plan

__all__ = ["load_cohort", "render", "report", "report_progress"]


@contextmanager
def report_progress(steps: tuple[str, ...]) -> Iterator[Callable[[str], None]]:
    """Yield a callback that advances a rich progress bar over ``steps`` (no-op off a TTY)."""
    if not sys.stderr.isatty():
        yield lambda _step: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("report", total=len(steps))
        seen: list[str] = []

        def tick(step: str) -> None:
            if seen:
                bar.advance(task)
            seen.append(step)
            bar.update(task, description=step)

        yield tick
        bar.update(task, completed=len(steps))


def render(
    cohort: Any,
    out: Path,
    *,
    criteria: list[str],
    drug: str = "lenalidomide",
    tables_docx: Path | None = None,
    tables_xlsx: Path | None = None,
    title: str | None = None,
    plan: str | Plan = "default",
) -> Path:
    """Build the report of ``cohort`` and write the HTML (and tables) with a progress bar.

    ``plan`` is a bundled analysis plan's name or a ``.toml`` plan file; an empty
    ``criteria`` takes the plan's.
    """
    from clears.report import build_report, write_docx, write_html, write_xlsx
    from clears.report.plans import resolve_plan

    chosen = resolve_plan(plan)
    with report_progress(chosen.steps()) as tick:
        built = build_report(
            cohort, criteria=criteria or None, plan=chosen, drug=drug, title=title, progress=tick
        )
    written = write_html(built, out)
    if tables_docx is not None:
        write_docx(built, tables_docx)
    if tables_xlsx is not None:
        write_xlsx(built, tables_xlsx)
    for warning in built.warnings:
        sys.stderr.write(f"note: {warning}\n")
    return written


def load_cohort(
    cohort: str | None,
    db: str | None,
    *,
    columns: Mapping[str, Collection[str]] | None = None,
) -> Any:
    """The cohort folder ``cohort``, or the registry at ``db`` (every centre); exactly one.

    ``columns`` limits what is read from the registry (``export_cohort``'s ``columns``);
    a folder is read whole.

    Raises
    ------
    typer.BadParameter
        Both or neither given (usage error, exit 2).
    """
    if (cohort is None) == (db is None):
        raise typer.BadParameter("give a cohort folder or --db URL (exactly one)")
    if cohort is not None:
        from clears.cli._io import print_warning
        from clears.cohort import read

        return read(cohort, on_warning=print_warning)
    import getpass

    from clears.registry import Actor, open_registry, transaction
    from clears.registry.exporter import export_cohort

    engine = open_registry(db)  # never creates a database: a mistyped --db is an error
    try:
        with transaction(engine) as session:
            actor = Actor.everywhere(getpass.getuser())
            return export_cohort(actor=actor, session=session, columns=columns)
    finally:
        engine.dispose()


def report(
    cohort: Annotated[
        str | None,
        typer.Argument(
            help="Cohort folder (CSV or Parquet tables); or use --db.", show_default=False
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Report from the registry at this database URL instead of a folder.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "clears-report.html"
    ),
    criteria: Annotated[
        list[str] | None,
        typer.Option("--criteria", "-c", help="Preset name or .toml file; repeat for several."),
    ] = None,
    drug: Annotated[str, typer.Option("--drug", help="The studied drug.")] = "lenalidomide",
    tables_docx: Annotated[
        Path | None, typer.Option("--tables-docx", help="Also write the tables to this .docx.")
    ] = None,
    tables_xlsx: Annotated[
        Path | None, typer.Option("--tables-xlsx", help="Also write the tables to this .xlsx.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Document title.")] = None,
    plan: Annotated[
        str,
        typer.Option(
            "--plan",
            help="Analysis plan: a bundled name (default, aitmehdi2021) or a .toml plan file.",
        ),
    ] = "default",
) -> None:
    """Write a self-contained HTML study report (figures embedded, generated methods text).

    The cohort is a folder of cohort tables, or the registry with --db (every centre),
    built here directly (to queue it for the job workers: clears jobs submit report --wait).

    Example: clears report my_cohort --out report.html -c aitmehdi2021 -c cortes2012

    Example: clears report --db sqlite:///clears.db --out report.html

    Example: clears report my_cohort --plan aitmehdi2021 --out aitmehdi.html
    """
    from clears.report import REPORT_COLUMNS
    from clears.report.plans import resolve_plan

    chosen = resolve_plan(plan)  # a mistyped name fails before the cohort is read

    names = [p.strip() for c in (criteria or []) for p in c.split(",") if p.strip()]
    written = render(
        load_cohort(cohort, db, columns=REPORT_COLUMNS),
        out,
        criteria=names,
        drug=drug,
        tables_docx=tables_docx,
        tables_xlsx=tables_xlsx,
        title=title,
        plan=chosen,
    )
    typer.echo(str(written))
