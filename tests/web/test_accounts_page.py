"""The administrators' page (/admin/users): scope, CSRF, every action, refusals that keep
what was typed, and temporary passwords that must be changed at sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web._setup import ADMIN, PASSWORD, login_token, sign_in

from clears._exceptions import NotFoundError
from clears.registry._engine import make_engine, transaction
from clears.registry._models import AuditEntry
from clears.registry.accounts import add_account, get_account

Client = Callable[[], TestClient]


@pytest.fixture
def bcn_admin(db_url: str, make_client: Client) -> TestClient:
    """A client signed in as ``adm_bcn``, an administrator of BCN only."""
    client = make_client()  # builds the app, which adds the test accounts
    engine = make_engine(db_url)
    with transaction(engine) as session:
        add_account(
            session,
            actor=ADMIN,
            username="adm_bcn",
            role="administrator",
            centres=["BCN"],
            password=PASSWORD,
        )
    engine.dispose()
    sign_in(client, "adm_bcn")
    return client


def _csrf(client: TestClient) -> str:
    token: str = client.get("/api/me").json()["csrf_token"]
    return token


def _account(db_url: str, name: str) -> object:
    engine = make_engine(db_url)
    try:
        with transaction(engine, write=False) as session:
            return get_account(session, actor=ADMIN, username=name)
    finally:
        engine.dispose()


def _temporary(page: str) -> str:
    found = re.search(r'<code id="temporary-password">([^<]+)</code>', page)
    assert found, page
    return found.group(1)


@pytest.mark.slow  # over a second in --durations
def test_only_administrators_reach_the_page(make_client: Client) -> None:
    client = make_client()
    assert client.get("/admin/users", follow_redirects=False).headers["location"] == "/login"
    csrf = sign_in(client, "inv_bcn")
    assert client.get("/admin/users").status_code == 403
    assert "Accounts" not in client.get("/patients").text
    form = {"csrf_token": csrf, "username": "x", "role": "monitor", "centre": "BCN"}
    assert client.post("/admin/users", data=form).status_code == 403
    assert client.post("/admin/users/monitor_bcn/disable", data=form).status_code == 403


@pytest.mark.slow  # over a second in --durations
def test_a_centre_administrator_sees_only_their_centres_accounts(bcn_admin: TestClient) -> None:
    page = bcn_admin.get("/admin/users")
    assert page.status_code == 200
    shown = re.findall(r'<tr id="account-([^"]+)">', page.text)
    assert shown == ["adm_bcn", "entry_bcn", "inv_bcn", "monitor_bcn"]
    assert 'value="LYO"' not in page.text  # cannot give LYO
    assert 'value="*"' not in page.text  # nor every centre
    assert 'id="nav-accounts"' in page.text


@pytest.mark.slow
def test_add_shows_a_temporary_password_that_must_be_changed(
    bcn_admin: TestClient, make_client: Client, db_url: str
) -> None:
    form = {"csrf_token": _csrf(bcn_admin), "username": "dr_new", "role": "data_entry",
            "centre": "BCN"}  # fmt: skip
    added = bcn_admin.post("/admin/users", data=form)
    assert added.status_code == 200
    temporary = _temporary(added.text)
    assert 'id="account-dr_new"' in added.text
    account = _account(db_url, "dr_new")
    assert account.must_change_password  # type: ignore[attr-defined]
    assert account.centres == {"BCN"}  # type: ignore[attr-defined]
    engine = make_engine(db_url)
    with transaction(engine, write=False) as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "users").order_by(AuditEntry.id.desc())
        ).first()
    engine.dispose()
    assert entry is not None
    assert entry.actor == "adm_bcn"
    assert temporary not in (entry.after or "")
    newcomer = make_client()
    data = {"username": "dr_new", "password": temporary, "login_token": login_token(newcomer)}
    signed = newcomer.post("/login", data=data, follow_redirects=False)
    assert signed.headers["location"] == "/account/password"


@pytest.mark.slow
def test_a_refused_add_keeps_what_was_typed_and_says_why(
    bcn_admin: TestClient, db_url: str
) -> None:
    form = {"csrf_token": _csrf(bcn_admin), "username": "dr_lyo2", "role": "monitor",
            "centre": "LYO"}  # fmt: skip
    refused = bcn_admin.post("/admin/users", data=form)
    assert refused.status_code == 422
    assert "centre: is not one of your centres (got LYO); allowed: BCN" in refused.text
    assert 'value="dr_lyo2"' in refused.text
    assert re.search(r'<option value="monitor" selected>', refused.text)
    taken = bcn_admin.post("/admin/users", data={**form, "username": "inv_bcn", "centre": "BCN"})
    assert "username: already exists (got inv_bcn)" in taken.text
    assert 'id="temporary"' not in taken.text
    with pytest.raises(NotFoundError, match="does not exist"):
        _account(db_url, "dr_lyo2")


@pytest.mark.slow  # over a second in --durations
def test_every_action_needs_the_csrf_token(bcn_admin: TestClient, db_url: str) -> None:
    form = {"username": "dr_x", "role": "monitor", "centre": "BCN"}
    assert bcn_admin.post("/admin/users", data=form).status_code == 403
    for action in ("disable", "reset", "role", "name"):
        data = {"csrf_token": "0" * 64, "role": "monitor", "full_name": "Someone Else"}
        assert bcn_admin.post(f"/admin/users/inv_bcn/{action}", data=data).status_code == 403
    account = _account(db_url, "inv_bcn")
    assert not account.disabled  # type: ignore[attr-defined]
    assert account.role == "investigator"  # type: ignore[attr-defined]
    assert account.full_name is None  # type: ignore[attr-defined]


@pytest.mark.slow  # over a second in --durations
def test_disable_ends_the_users_session_and_enable_lets_them_back(
    bcn_admin: TestClient, make_client: Client
) -> None:
    victim = make_client()
    sign_in(victim, "inv_bcn")
    csrf = _csrf(bcn_admin)
    done = bcn_admin.post("/admin/users/inv_bcn/disable", data={"csrf_token": csrf})
    assert "inv_bcn disabled; their sessions ended." in done.text
    assert victim.get("/api/me").status_code == 401
    bcn_admin.post("/admin/users/inv_bcn/enable", data={"csrf_token": csrf})
    sign_in(victim, "inv_bcn")
    # another centre's account, and one's own
    assert (
        bcn_admin.post("/admin/users/inv_lyo/disable", data={"csrf_token": csrf}).status_code == 404
    )
    own = bcn_admin.post("/admin/users/adm_bcn/disable", data={"csrf_token": csrf})
    assert own.status_code == 409
    assert "you cannot disable your own account" in own.text


@pytest.mark.slow  # over a second in --durations
def test_role_change_and_reset(bcn_admin: TestClient, make_client: Client, db_url: str) -> None:
    csrf = _csrf(bcn_admin)
    changed = bcn_admin.post(
        "/admin/users/monitor_bcn/role", data={"csrf_token": csrf, "role": "data_entry"}
    )
    assert "monitor_bcn is now data_entry." in changed.text
    assert _account(db_url, "monitor_bcn").role == "data_entry"  # type: ignore[attr-defined]
    bad = bcn_admin.post("/admin/users/monitor_bcn/role", data={"csrf_token": csrf, "role": "boss"})
    assert bad.status_code == 422
    assert "role: is not a role (got boss)" in bad.text
    user = make_client()
    sign_in(user, "entry_bcn")
    reset = bcn_admin.post("/admin/users/entry_bcn/reset", data={"csrf_token": csrf})
    temporary = _temporary(reset.text)
    assert user.get("/api/me").status_code == 401  # the reset ended their session
    again = make_client()
    old = {"username": "entry_bcn", "password": PASSWORD, "login_token": login_token(again)}
    assert again.post("/login", data=old).status_code == 401
    new = {"username": "entry_bcn", "password": temporary, "login_token": login_token(again)}
    assert again.post("/login", data=new, follow_redirects=False).headers["location"] == (
        "/account/password"
    )


def test_the_full_name_signatures_print_is_set_here_and_a_bad_one_kept_to_correct(
    bcn_admin: TestClient, db_url: str
) -> None:
    # 21 CFR 11.50(a)(1): a signature shows the printed name of the signer.
    csrf = _csrf(bcn_admin)
    named = bcn_admin.post(
        "/admin/users/inv_bcn/name", data={"csrf_token": csrf, "full_name": "Ana García"}
    )
    assert named.status_code == 200
    assert "inv_bcn signs as Ana García." in named.text
    assert 'value="Ana García"' in named.text
    assert _account(db_url, "inv_bcn").full_name == "Ana García"  # type: ignore[attr-defined]
    bad = bcn_admin.post(
        "/admin/users/inv_bcn/name", data={"csrf_token": csrf, "full_name": "Ana\nGarcía"}
    )
    assert bad.status_code == 422
    assert "full_name: is not a full name" in bad.text
    assert "1 to 200 printable characters" in bad.text
    assert _account(db_url, "inv_bcn").full_name == "Ana García"  # type: ignore[attr-defined]
    assert (
        bcn_admin.post(
            "/admin/users/inv_lyo/name", data={"csrf_token": csrf, "full_name": "X"}
        ).status_code
        == 404
    )  # another centre's account is not found
