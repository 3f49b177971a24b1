"""Password logins (the pages and the admin) with a brake on guessing: a client address with too
many failed logins in a window is refused before any password is checked, until the window ends.
Counted per address (``core.ratelimit``), not per user name, so that nobody can lock an inspector
out by failing in their name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from shilian.core.ratelimit import usage

FAILED_LOGINS = "10/5m"  # failed password logins per client address and 5 minutes
GROUP = "login-failed"


def wait_before_login(request: Any) -> int | None:
    """Seconds this client must wait before its next login is tried; None when it may try now."""
    count, limit, left = usage(request, GROUP, FAILED_LOGINS, increment=False)
    return left if limit and count >= limit else None


class ThrottledBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is None:  # not a login over HTTP (the shell, the test client's login())
            return super().authenticate(request, username, password, **kwargs)
        if wait_before_login(request) is not None:
            raise PermissionDenied  # ends authenticate(): no backend checks the password
        user = super().authenticate(request, username, password, **kwargs)
        if user is None and username is not None:
            usage(request, GROUP, FAILED_LOGINS, increment=True)
        return user


class LoginForm(AuthenticationForm):
    """The login page's form: says how long to wait instead of "wrong password" when braked."""

    def clean(self) -> dict[str, Any]:
        if self.request is not None:
            wait = wait_before_login(self.request)
            if wait is not None:
                raise forms.ValidationError(
                    _("Too many failed logins from this network. Try again in %(seconds)s seconds."),
                    code="throttled",
                    params={"seconds": wait},
                )
        return super().clean()
