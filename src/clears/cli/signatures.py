"""``clears signatures list`` and ``clears unlock``: electronic signatures from the command line.

Run by whoever runs the server, acting as a network-wide administrator (audited under their
login name), as the other registry commands do. There is no signing from the command line:
a signature needs the signer's own password entered again in their signed-in session
(21 CFR Part 11 §11.200(a)), so investigators sign on the patient page, a visit's view or
the API.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from clears.registry import Account, Signature

__all__ = ["app", "list_", "unlock"]

app = typer.Typer(
    help=(
        "List electronic signatures. Signing is not done from the command line (a signature "
        "needs the signer's password entered again in a web session); unlocking is "
        "'clears unlock'."
    ),
    no_args_is_help=True,
)


def _administrator() -> Account:
    from clears.registry import ALL_CENTRES, Account, Role

    return Account(getpass.getuser(), Role.administrator, frozenset({ALL_CENTRES}))


def _line(signature: Signature) -> str:
    state = "active" if signature.active else signature.withdrawal
    return (
        f"{signature.id:>5}  {signature.patient_id}  {signature.record} "
        f"(v{signature.record_version})  {signature.manifestation}  [{state}]"
    )


@app.command("list")
def list_(
    patient: Annotated[
        str | None, typer.Option("--patient", help="Only this patient's signatures.")
    ] = None,
    db: DbOption = None,
) -> None:
    """List signatures, newest first (at most 500), withdrawn ones included."""
    from clears.cli.users import _registry
    from clears.registry import list_signatures

    with _registry(db, write=False) as session:
        found = list_signatures(session, actor=_administrator().actor(), patient_id=patient)
    typer.echo(f"{len(found)} signature(s)" + (f" of {patient}" if patient else ""))
    for signature in found:
        typer.echo(_line(signature))


def unlock(
    reason: Annotated[str, typer.Option("--reason", help="Why it is unlocked (audited).")],
    visit: Annotated[int | None, typer.Option("--visit", help="The visit's record number.")] = None,
    patient: Annotated[
        str | None, typer.Option("--patient", help="The patient whose record is unlocked.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Unlock a signed or locked visit (--visit N) or patient's record (--patient ID): its
    signatures are withdrawn (kept in the history) and edits are allowed again."""
    from clears.cli.users import _registry
    from clears.registry import unlock_record
    from clears.registry.patients import get_patient

    if (visit is None) == (patient is None):
        raise typer.BadParameter("give exactly one of --visit N or --patient ID")
    account = _administrator()
    with _registry(db) as session:
        if patient is not None:
            record_id = get_patient(session, actor=account.actor(), patient_id=patient).id
            table, what = "patients", f"the record of patient {patient}"
        else:
            assert visit is not None
            record_id, table, what = visit, "visits", f"visit {visit}"
        withdrawn = unlock_record(
            session, account=account, table=table, record_id=record_id, reason=reason
        )
    typer.echo(f"unlocked {what}; {len(withdrawn)} signature(s) withdrawn")
    for signature in withdrawn:
        typer.echo(_line(signature))
