"""Entry point of the ``clears`` command.

Exit codes: 0 success, 1 bad input (the message names file, row, field, value and what is
allowed), 2 usage error.
"""

from __future__ import annotations

import sys

import typer

from clears._exceptions import ClearsError, InputError
from clears._version import __version__
from clears.cli import advise as advise_cmd
from clears.cli import audit as audit_cmd
from clears.cli import cohort as cohort_cmd
from clears.cli import db as db_cmd
from clears.cli import demo as demo_cmd
from clears.cli import design as design_cmd
from clears.cli import dq as dq_cmd
from clears.cli import import_redcap as import_redcap_cmd
from clears.cli import instruments as instruments_cmd
from clears.cli import io as io_cmd
from clears.cli import jobs as jobs_cmd
from clears.cli import meta as meta_cmd
from clears.cli import outcomes as outcomes_cmd
from clears.cli import patients as patients_cmd
from clears.cli import photos as photos_cmd
from clears.cli import queries as queries_cmd
from clears.cli import report as report_cmd
from clears.cli import score as score_cmd
from clears.cli import serve as serve_cmd
from clears.cli import signatures as signatures_cmd
from clears.cli import simulate as simulate_cmd
from clears.cli import status as status_cmd
from clears.cli import surveys as surveys_cmd
from clears.cli import tokens as tokens_cmd
from clears.cli import users as users_cmd

app = typer.Typer(
    name="clears",
    help=(
        "clears: Cutaneous Lupus Erythematosus Assessment, Response & Safety. "
        "Scores, outcomes, decision support and reports for lenalidomide and thalidomide "
        "in refractory cutaneous lupus erythematosus."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(score_cmd.app, name="score")
app.add_typer(cohort_cmd.app, name="cohort")
app.add_typer(db_cmd.app, name="db")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(patients_cmd.app, name="patients")
app.add_typer(photos_cmd.app, name="photos")
app.add_typer(surveys_cmd.app, name="survey")
app.add_typer(signatures_cmd.app, name="signatures")
app.command("unlock")(signatures_cmd.unlock)
app.add_typer(queries_cmd.app, name="queries")
app.command("import")(io_cmd.import_)
app.command("export")(io_cmd.export)
app.command("import-redcap")(import_redcap_cmd.import_redcap)
app.command("advise")(advise_cmd.advise)
app.add_typer(instruments_cmd.app, name="instruments")
app.command("meta")(meta_cmd.meta)
app.command("outcomes", context_settings={"allow_extra_args": True})(outcomes_cmd.outcomes)
app.command("simulate")(simulate_cmd.simulate)
app.add_typer(design_cmd.app, name="design")
app.add_typer(dq_cmd.app, name="dq")
app.command("report")(report_cmd.report)
app.command("demo")(demo_cmd.demo)
app.command("serve")(serve_cmd.serve)
app.add_typer(users_cmd.app, name="users")
app.add_typer(tokens_cmd.app, name="tokens")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(status_cmd.app, name="status")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clears {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """clears command line."""


def _one_line(exc: BaseException) -> str:
    """The first non-blank line of an error (database drivers write several)."""
    lines = [line.strip() for line in str(getattr(exc, "orig", None) or exc).splitlines()]
    return next((line for line in lines if line), type(exc).__name__)


def run() -> None:
    """Run the CLI, turning clears errors into exit code 1 with a readable message.

    Database and file-system errors that no command turned into a clears error (a server
    gone mid-command, a full disk) are one line too, never a traceback.
    """
    try:
        app()
    except InputError as exc:
        sys.stderr.write("error: invalid input\n")
        for problem in exc.problems:
            sys.stderr.write(f"  - {problem}\n")
        sys.exit(1)
    except ClearsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)
    except OSError as exc:
        import errno

        where = f": {exc.filename}" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            what = "the disk is full (or a file size limit was reached)"
        else:
            what = exc.strerror or _one_line(exc)
        sys.stderr.write(f"error: {what}{where}\n")
        sys.exit(1)
    except Exception as exc:
        # Only database errors become one line; anything else is a bug and keeps its trace.
        if not type(exc).__module__.startswith(("sqlalchemy", "sqlite3", "psycopg")):
            raise
        sys.stderr.write(f"error: database error: {_one_line(exc)}\n")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
