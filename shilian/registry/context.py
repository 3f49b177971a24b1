"""Template context: the current user's scope, for menus."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shilian.registry.access import scope_for


def scope(request: HttpRequest) -> dict[str, Any]:
    return {"scope": SimpleLazyObject(lambda: scope_for(getattr(request, "user", None)))}
