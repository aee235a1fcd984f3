"""``clears survey ...``: issue a visit's patient survey link (and its QR code), list and
revoke links.

``issue`` acts as the named account (``--user``): its role must allow issuing surveys and
its centres must hold the visit, as on the web; the link is printed once (only its hash is
kept) with the base address ``--base-url`` (default ``$CLEARS_PUBLIC_URL``), and its QR code
can be written as SVG or PNG (by the file's suffix).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from clears.registry.surveys import SurveyLink

__all__ = ["app", "issue", "list_", "revoke"]

app = typer.Typer(
    help="Issue, list and revoke patient survey links (single use, expiring).",
    no_args_is_help=True,
)

UserOption = Annotated[
    str, typer.Option("--user", help="The account issuing or revoking (its role and centres).")
]


def _line(link: SurveyLink) -> str:
    return (
        f"{link.id:>5}  {link.patient_id}  visit {link.visit_id} {link.visit_date}  "
        f"{link.language}  {','.join(link.instruments)}  by {link.issued_by} "
        f"{link.issued_at:%Y-%m-%d %H:%M}  expires {link.expires_at:%Y-%m-%d %H:%M}  "
        f"{link.state()}"
    )


@app.command("issue")
def issue(
    visit: Annotated[int, typer.Option("--visit", help="The visit's record number.")],
    user: UserOption,
    language: Annotated[str, typer.Option("--language", help="en, fr or es.")] = "en",
    hours: Annotated[
        float | None,
        typer.Option(
            "--hours",
            envvar="CLEARS_SURVEY_HOURS",
            help="How long the link lasts (default 72).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url", envvar="CLEARS_PUBLIC_URL", help="The address patients reach clears at."
        ),
    ] = "http://127.0.0.1:8000",
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Write the QR code here (.svg or .png).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Issue a visit's survey link (revoking earlier ones) and print it, once."""
    import segno

    from clears.cli.users import _registry
    from clears.registry import Actor, get_account
    from clears.registry.surveys import DEFAULT_HOURS, issue_survey

    with _registry(db) as session:
        account = get_account(session, actor=Actor.everywhere(getpass.getuser()), username=user)
        made = issue_survey(
            session,
            actor=account.actor(),
            role=account.role,
            visit_id=visit,
            language=language,
            hours=DEFAULT_HOURS if hours is None else hours,
        )
    url = f"{base_url.rstrip('/')}/survey/{made.token}"
    typer.echo(_line(made.link))
    typer.echo(url)
    if qr is not None:
        segno.make(url, error="m").save(str(qr), scale=8, border=2)
        typer.echo(f"QR code written to {qr}")


@app.command("list")
def list_(
    visit: Annotated[int | None, typer.Option("--visit", help="One visit's links.")] = None,
    patient: Annotated[str | None, typer.Option("--patient", help="One patient's.")] = None,
    db: DbOption = None,
) -> None:
    """List survey links, newest first (at most 100)."""
    from clears.cli.users import _registry
    from clears.registry import Actor
    from clears.registry.surveys import list_surveys

    with _registry(db, write=False) as session:
        links = list_surveys(
            session, actor=Actor.everywhere(getpass.getuser()), visit_id=visit, patient_id=patient
        )
    typer.echo(f"{len(links)} survey link(s)")
    for link in links:
        typer.echo(_line(link))


@app.command("revoke")
def revoke(
    link_id: Annotated[int, typer.Argument(help="The link's number (clears survey list).")],
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Revoke a survey link."""
    from clears.cli.users import _registry
    from clears.registry import Actor, get_account
    from clears.registry.surveys import revoke_survey

    with _registry(db) as session:
        account = get_account(session, actor=Actor.everywhere(getpass.getuser()), username=user)
        link = revoke_survey(session, actor=account.actor(), role=account.role, link_id=link_id)
    typer.echo(f"revoked {_line(link)}")
