"""``clears signatures list`` and ``clears unlock`` on a registry file."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._cli import clears
from tests.web._setup import PASSWORD, add_users, hash_once, make_database

from clears.registry import get_account, sign_record, update_record
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import timeline

SETUP = Actor.everywhere("setup")


@pytest.fixture(autouse=True)
def _no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)


@pytest.fixture
def signed(tmp_path: Path) -> tuple[str, int]:
    """A registry whose P1 visit is signed by inv_bcn; its URL and the visit's id."""
    url = make_database(tmp_path / "registry.db")
    add_users(url, hash_once())
    engine = make_engine(url)
    with transaction(engine) as session:
        visit = timeline(session, actor=SETUP, patient_id="P1")["visits"][0]
        signer = get_account(session, actor=SETUP, username="inv_bcn")
        sign_record(
            session,
            account=signer,
            password=PASSWORD,
            table="visits",
            record_id=visit.id,
            version=visit.version,
            meaning="approval",
        )
    engine.dispose()
    return url, visit.id


def test_list_shows_the_manifestation_and_unlock_withdraws_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signed: tuple[str, int]
) -> None:
    url, visit = signed
    assert clears(monkeypatch, "signatures", "list", "--db", url, "--patient", "P1") == 0
    listed = capsys.readouterr().out
    assert "1 signature(s) of P1" in listed
    assert f"visit {visit} (v1)  Signed by inv_bcn (investigator) on " in listed
    assert "— approval  [active]" in listed
    # no reason: refused by the command line itself; nothing changes
    assert clears(monkeypatch, "unlock", "--db", url, "--visit", str(visit)) == 2
    assert clears(monkeypatch, "unlock", "--db", url, "--visit", str(visit), "--reason", " ") == 1
    assert "reason: is required to unlock" in capsys.readouterr().err
    assert (
        clears(monkeypatch, "unlock", "--db", url, "--visit", str(visit), "--reason", "anc typo")
        == 0
    )
    assert f"unlocked visit {visit}; 1 signature(s) withdrawn" in capsys.readouterr().out
    assert clears(monkeypatch, "signatures", "list", "--db", url) == 0
    assert ": anc typo]" in capsys.readouterr().out
    engine = make_engine(url)
    with transaction(engine) as session:  # editable again
        update_record(
            session,
            actor=SETUP,
            table="visits",
            record_id=visit,
            version=3,
            changes={"anc": 2.0},
            reason="typo",
        )
    engine.dispose()


def test_unlock_needs_exactly_one_record(
    monkeypatch: pytest.MonkeyPatch, signed: tuple[str, int]
) -> None:
    url, visit = signed
    both = ("--visit", str(visit), "--patient", "P1", "--reason", "x")
    assert clears(monkeypatch, "unlock", "--db", url, *both) == 2
    assert clears(monkeypatch, "unlock", "--db", url, "--reason", "x") == 2


def test_signing_is_not_offered_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clears(monkeypatch, "signatures", "--help") == 0
    assert "Signing is not done from the command line" in capsys.readouterr().out
    assert clears(monkeypatch, "signatures", "sign") == 2
