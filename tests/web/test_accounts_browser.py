"""The administrators' page in a real browser: a network administrator adds an account
from the menu, the new user signs in with the temporary password shown once, is sent to
choose their own, and lands on the patient list; then the administrator disables them and
their open page is signed out. Screenshots: test-artifacts/web/accounts-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD, app_for, served


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app on a free loopback port."""
    with served(app_for(db_url, password_hash)) as url:
        yield url


def test_add_sign_in_with_the_temporary_password_change_it_then_disable(
    chromium: str, server: str
) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        admin = browser.new_context().new_page()
        admin.goto(f"{server}/login")
        admin.fill("#username", "admin")
        admin.fill("#password", PASSWORD)
        admin.click("button[type=submit]")
        admin.click("#nav-accounts")
        expect(admin.locator("h1")).to_have_text("Accounts")
        admin.fill("#new-username", "dr_new")
        admin.select_option("#new-role", "data_entry")
        admin.check("#add-account input[value=LYO]")
        admin.click("#add-account button[type=submit]")
        expect(admin.locator("#message")).to_have_text("Added dr_new.")
        temporary = admin.locator("#temporary-password").inner_text()
        expect(admin.locator("#account-dr_new .state")).to_have_text("active, must change password")
        admin.screenshot(path=str(shots / "accounts-added.png"), full_page=True)

        newcomer = browser.new_context().new_page()
        newcomer.goto(f"{server}/login")
        newcomer.fill("#username", "dr_new")
        newcomer.fill("#password", temporary)
        newcomer.click("button[type=submit]")
        expect(newcomer.locator("#must-change")).to_be_visible()
        newcomer.goto(f"{server}/patients")  # any page leads back to the form
        expect(newcomer.locator("h1")).to_have_text("Change your password")
        newcomer.fill("#current_password", temporary)
        newcomer.fill("#new_password", "my own long password")
        newcomer.fill("#repeat_password", "my own long password")
        newcomer.click("form[action='/account/password'] button[type=submit]")
        expect(newcomer).to_have_url(f"{server}/patients")
        expect(newcomer.locator(".who")).to_have_text("dr_new · data_entry")
        assert "P2" in newcomer.content()  # LYO's patient
        assert "P1" not in newcomer.locator("main").inner_text()  # not BCN's

        admin.goto(f"{server}/admin/users")
        admin.click("#account-dr_new form[action$='/disable'] button")
        expect(admin.locator("#account-dr_new .state")).to_have_text("disabled")
        newcomer.reload()
        expect(newcomer).to_have_url(f"{server}/login")
        admin.screenshot(path=str(shots / "accounts-disabled.png"), full_page=True)
