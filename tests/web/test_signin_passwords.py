"""Choosing one's own password on /account/password: common, repetitive and user-name
passwords are refused with a message naming the rule, and nothing is changed."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import PASSWORD, sign_in

Client = Callable[[], TestClient]


@pytest.mark.parametrize(
    ("new", "rule"),
    [
        ("password1234", "is a commonly used password"),
        ("aaaaaaaaaaaa", "repeats or runs in sequence"),
        ("inv_bcn", "contains the user name"),
        ("inv_bcn-2026-04", "contains the user name"),
    ],
)
def test_a_weak_new_password_is_refused_naming_the_rule(
    make_client: Client, new: str, rule: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    page = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": new,
            "repeat_password": new,
        },
        follow_redirects=False,
    )
    assert page.status_code == 422
    assert rule in html.unescape(page.text)
    # Nothing changed: the old password still signs in.
    sign_in(make_client(), "inv_bcn", PASSWORD)


def test_the_form_states_the_rules_before_anything_is_typed(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = html.unescape(client.get("/account/password").text)
    assert "a commonly used password" in page
    assert "repeats or runs in sequence" in page
    assert "containing your user name" in page
