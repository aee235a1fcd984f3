"""``clears demo``: the main job end to end on synthetic data, through the registry.

1. Simulate a cohort with :func:`clears.simulate.simulate` under the ``aitmehdi2021``
   preset (calibrated to Aitmehdi 2021, 40 patients by default).
2. Create the SQLite registry (default ``DIR/clears-demo.db``, or ``--db URL``) with the
   shipped migrations, and import the cohort in one audited transaction
   (:func:`clears.registry.importer.import_cohort`).
3. Export it back (:func:`clears.registry.exporter.export_cohort`), derive outcomes under
   ``aitmehdi2021`` and ``cortes2012`` and write ``DIR/clears-report.html`` from the exported
   cohort, so the report shows what the registry holds.
4. Add the web account ``demo`` to the registry (an administrator of every centre, audited
   like any account), whose random password is returned (and printed once by the command)
   and stored only as an Argon2id hash, so that the printed ``clears serve --dev`` command
   can be signed in to.

Running it again in the same folder refuses to touch the existing demo database (which may
have been edited since, e.g. through ``clears serve``) unless ``--force`` replaces it (and
its account, with a new password); the report file is always rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

if TYPE_CHECKING:
    from clears.cohort import Cohort

__all__ = [
    "DEMO_CRITERIA",
    "DEMO_DB",
    "DEMO_USER",
    "DemoRun",
    "demo",
    "demo_cohort",
    "run_demo",
    "serve_command",
]

#: Presets the demo derives outcomes under.
DEMO_CRITERIA: Final = ("aitmehdi2021", "cortes2012")
#: File name of the demo database inside the output folder.
DEMO_DB: Final = "clears-demo.db"
#: Name recorded as the importer in the demo's audit trail.
DEMO_ACTOR: Final = "clears-demo"
#: The demo's web account: an administrator of every centre.
DEMO_USER: Final = "demo"
_SQLITE_SIDE_FILES: Final = ("-journal", "-wal", "-shm")


@dataclass(frozen=True)
class DemoRun:
    """What :func:`run_demo` wrote: the report, the database URL and its file (SQLite), and
    the demo account's user name and password (kept out of ``repr``)."""

    report: Path
    url: str
    database: Path | None
    patients: int
    described: str
    username: str
    password: str = field(repr=False)


def demo_cohort(n: int, seed: int) -> tuple[Cohort, str]:
    """Return ``(cohort, description)``: ``n`` patients simulated under ``aitmehdi2021``."""
    import numpy as np

    from clears.simulate import simulate

    cohort = simulate("aitmehdi2021", n, np.random.default_rng(seed))
    return cohort, f"{n} simulated patients (preset aitmehdi2021, seed {seed})"


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or ``None`` (in-memory SQLite, other databases)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _prepare_default(path: Path, *, force: bool) -> None:
    """Refuse (or, with ``force``, delete) an existing demo database file."""
    from clears._exceptions import ConflictError

    if not path.exists():
        return
    if not force:
        raise ConflictError(
            f"{path} already exists (a database from an earlier demo, perhaps edited since); "
            "nothing was changed. Pass --force to replace it, or --db to use another database."
        )
    for suffix in ("", *_SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _add_demo_account(url: str) -> str:
    """Add the demo account (an administrator of every centre); return its password."""
    from clears.registry import (
        ALL_CENTRES,
        Actor,
        Role,
        add_account,
        open_registry,
        temporary_password,
        transaction,
    )

    password = temporary_password(DEMO_USER)  # 20 characters, about 120 random bits
    engine = open_registry(url)
    try:
        with transaction(engine) as session:
            add_account(
                session,
                actor=Actor.everywhere(DEMO_ACTOR),
                username=DEMO_USER,
                role=Role.administrator.value,
                centres=[ALL_CENTRES],
                password=password,
            )
    finally:
        engine.dispose()
    return password


def program() -> str:
    """How to call clears again: the executable this run was started as, else ``clears``.

    A user who ran ``.venv/bin/clears demo`` without activating the environment can paste
    the printed commands as they are.
    """
    import sys

    invoked = sys.argv[0] if sys.argv else ""
    return invoked if Path(invoked).name == "clears" else "clears"


def serve_command(run: DemoRun) -> str:
    """The shell command that serves the demo registry to this machine, as printed.

    ``--dev`` gives a random secret key for that run and plain-HTTP cookies on loopback.
    """
    import shlex

    return shlex.join([program(), "serve", "--db", run.url, "--dev"])


def _init(url: str, *, given: bool) -> None:
    """Create the registry at ``url``; a given database must be new and persistent."""
    from clears._exceptions import ConflictError, InputError, Problem
    from clears.registry import migrate

    if given and url.startswith("sqlite") and sqlite_file(url) is None:
        raise InputError(
            Problem("db", url, "is an in-memory database, gone before the report is written",
                    "a database file, e.g. sqlite:///demo.db")
        )  # fmt: skip
    try:
        migrate.init(url)
    except ConflictError as exc:
        if not given:  # pragma: no cover - _prepare_default removed the file
            raise
        raise ConflictError(
            f"{url} already holds a registry; the demo only writes into a new database "
            "(nothing was changed). Choose another --db, or leave it out to use "
            f"{DEMO_DB} in the output folder."
        ) from exc


def run_demo(
    out: Path, *, n: int = 40, seed: int = 2021, db: str | None = None, force: bool = False
) -> DemoRun:
    """Simulate, register, export and report; return where everything went.

    Parameters
    ----------
    out
        Folder of the report (and of the default database), created if needed.
    n, seed
        Patients to simulate and the seed of their ``numpy.random.Generator``.
    db
        Database URL; default ``sqlite:///OUT/clears-demo.db``. A given database must not
        hold a registry yet, and is never deleted.
    force
        Replace the default database file when it exists (else refused).

    Raises
    ------
    ConflictError
        The default database file exists and ``force`` is false, or ``db`` already holds a
        registry; nothing is changed.
    InputError
        ``n`` outside 1-100,000, or ``db`` an in-memory database.
    """
    from clears.cli.report import render
    from clears.registry import Actor
    from clears.registry.exporter import export_cohort
    from clears.registry.importer import import_cohort

    if db is None:
        _prepare_default((out / DEMO_DB).resolve(), force=force)
    cohort, described = demo_cohort(n, seed)
    out.mkdir(parents=True, exist_ok=True)
    url = db or f"sqlite:///{(out / DEMO_DB).resolve()}"
    _init(url, given=db is not None)
    actor = Actor.everywhere(DEMO_ACTOR)
    import_cohort(cohort, actor=actor, url=url)
    exported = export_cohort(actor=actor, url=url)
    written = render(
        exported,
        out / "clears-report.html",
        criteria=list(DEMO_CRITERIA),
        title="clears demo: lenalidomide in cutaneous lupus erythematosus (synthetic data)",
    )
    password = _add_demo_account(url)
    return DemoRun(
        written, url, sqlite_file(url), exported.n_patients, described, DEMO_USER, password
    )


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("."),
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed of the simulation.")
    ] = 2021,
    n: Annotated[int, typer.Option("--n", help="Number of simulated patients.")] = 40,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database URL (default: sqlite file {DEMO_DB} in the output folder).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help=f"Replace {DEMO_DB} in the output folder."),
    ] = False,
) -> None:
    """Simulate a cohort, store it in a SQLite registry, and report from the registry.

    Example: clears demo --out demo_folder
    """
    import shlex

    run = run_demo(out, n=n, seed=seed, db=db, force=force)
    shown = shlex.quote(run.url)
    typer.echo(f"Cohort: {run.described}.")
    typer.echo(f"Registry: {run.patients} patients in {run.database or run.url}")
    typer.echo(f"Report: {run.report.resolve()}")
    typer.echo("Web account (in the registry; an administrator of every centre):")
    typer.echo(f"  user name: {run.username}")
    typer.echo(f"  password:  {run.password}   (shown only now; the registry keeps only a hash)")
    me = shlex.quote(program())
    typer.echo("Next, try:")
    typer.echo(f"  {me} report --db {shown} --out report.html")
    typer.echo(f"  {me} audit verify --db {shown}")
    typer.echo(f"  {me} export --db {shown} --out cohort && {me} outcomes cohort")
    typer.echo(f"  {serve_command(run)}   # the web app; open the URL it prints, sign in as demo")
