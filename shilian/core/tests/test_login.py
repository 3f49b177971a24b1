"""The brake on password guessing: after ten failed logins from one address in five minutes the
next login from it is refused before its password is checked (the page says how long to wait;
the admin's login too), while other addresses and the right user elsewhere log in as before."""

import pytest
from django.test import Client

from shilian.core.login import FAILED_LOGINS
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db

LIMIT = int(FAILED_LOGINS.split("/")[0])


def _login(client, username, password, path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


def test_ten_failures_from_one_address_brake_its_next_login():
    user = f.make_user("inspector1")
    user.set_password("right-Password-1")
    user.save()
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(LIMIT):
        wrong = _login(guesser, "inspector1", f"guess{n}")
        assert wrong.status_code == 200
        assert "throttled" not in [e.code for e in wrong.context["form"].non_field_errors().as_data()]
    braked = _login(guesser, "inspector1", "right-Password-1")  # even the right password now waits
    assert braked.status_code == 200
    [error] = braked.context["form"].non_field_errors().as_data()
    assert error.code == "throttled"
    assert 0 < error.params["seconds"] <= 300
    assert "_auth_user_id" not in guesser.session
    # the admin's login goes through the same backend: refused too
    admin = f.make_admin()
    admin.set_password("admin-Password-1")
    admin.save()
    assert "_auth_user_id" not in _login(guesser, admin.username, "admin-Password-1", "/admin/login/").wsgi_request.session
    # the user from another address is not locked out
    office = Client(REMOTE_ADDR="198.51.100.20")
    assert _login(office, "inspector1", "right-Password-1").status_code == 302
    assert office.session["_auth_user_id"] == str(user.pk)


def test_behind_the_local_front_the_forwarded_address_is_counted():
    f.make_user("op")
    via_front = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(LIMIT):
        _login(Client(**via_front, HTTP_X_REAL_IP="203.0.113.9"), "op", f"x{n}")
    other = _login(Client(**via_front, HTTP_X_REAL_IP="203.0.113.10"), "op", "x")
    assert "throttled" not in [e.code for e in other.context["form"].non_field_errors().as_data()]
    same = _login(Client(**via_front, HTTP_X_REAL_IP="203.0.113.9"), "op", "x")
    assert [e.code for e in same.context["form"].non_field_errors().as_data()] == ["throttled"]


def test_a_successful_login_is_not_counted():
    user = f.make_user("op2")
    user.set_password("right-Password-2")
    user.save()
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(LIMIT + 2):
        assert _login(client, "op2", "right-Password-2").status_code == 302
        client.logout()
