"""Calling the JSON API in tests: one token per user, JSON bodies, the permission-matrix actors."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import timezone

from shilian.core.models import ApiToken
from shilian.core.tokens import issue_token

# The rows of every permission matrix (STYLE.md rule 11).
ACTORS = ("anonymous", "operator", "other_operator", "inspector_in", "inspector_out", "admin")


def auth(user: Any) -> dict[str, str]:
    if user is None:
        return {}
    if not hasattr(user, "_test_token"):
        token, user._test_token = issue_token(user, "test")
        # in use already: a request's statements are counted as they run every time, without the
        # hourly note of the token's use (core.auth; tested on its own in core/tests/test_api_auth.py)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {user._test_token}"}


def call(method: str, path: str, user: Any = None, body: Any = None) -> Any:
    client: Any = Client()  # the test client takes WSGI environ keys as keyword arguments
    if method == "get":
        return client.get(path, **auth(user))
    return client.post(path, json.dumps(body or {}), content_type="application/json", **auth(user))
