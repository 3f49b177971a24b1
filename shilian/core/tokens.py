"""Issuing API tokens: the token is returned once, only its hash is kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shilian.core.auth import hash_token, new_token
from shilian.core.history import record
from shilian.core.models import ApiToken


@transaction.atomic
def issue_token(user: Any, name: str = "", *, acting_user: Any = None) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``: the row, and the token to show once."""
    token = new_token()
    row = ApiToken.objects.create(user=user, name=name[:100], key_hash=hash_token(token), prefix=token[:8])
    record("core.token.issue", row, acting_user=acting_user, user=user.pk, name=row.name)
    return row, token
