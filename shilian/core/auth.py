"""API authentication: bearer tokens (``Authorization: Bearer …`` or ``Token …``)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from ninja.security import HttpBearer

from shilian.core.db import bound_cursor, instance_from_row
from shilian.core.models import ApiToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sl_" + secrets.token_urlsafe(32)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.startswith("Token "):
            return self.authenticate(request, header[6:].strip())
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The hot path of every API call: one raw join (compiling the ORM query cost more than
        # running it: 0.28 → 0.06 ms on SQLite), prepared once per connection on PostgreSQL
        # (core.db); the user is a full model instance all the same.
        with bound_cursor(prepare=True) as cursor:
            cursor.execute(_user_by_token(), [hash_token(token)])
            row = cursor.fetchone()
        if row is None:
            return None
        user = instance_from_row(get_user_model(), row)
        if not user.is_active:
            return None
        request.user = user
        return user


def _user_by_token() -> str:
    """The user's concrete fields, in their order, by the token's hash."""
    q = connection.ops.quote_name
    user = get_user_model()._meta
    token = ApiToken._meta
    columns = ", ".join(f"u.{q(str(f.column))}" for f in user.concrete_fields)
    return (
        f"SELECT {columns} FROM {q(user.db_table)} u JOIN {q(token.db_table)} t "
        f"ON t.{q(token.get_field('user').column)} = u.{q(str(user.pk.column))} WHERE t.key_hash = %s"
    )
