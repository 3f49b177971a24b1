"""Who a page is for: the enterprise an operator records for, and the inspector's gate.

Pages under ``/w/`` act for one enterprise: the one the user picked this session, or
their only one. Pages under ``/r/`` are for inspectors and admins. Both answer 404 to
everyone else, the same answer the access funnels give for a row out of scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from shilian.core.access import Perm
from shilian.core.htmx import not_found_as_404
from shilian.registry.access import access_enterprise, scope_for
from shilian.registry.models import Enterprise

SESSION_KEY = "shilian_enterprise"


def operated_ids(user: Any) -> list[int]:
    """The enterprises the user holds an operator role for."""
    return sorted(scope_for(user).enterprise_ids)


def operating_enterprise(request: HttpRequest) -> Enterprise | None:
    """The enterprise this session records for; None when the user must pick one of several."""
    ids = operated_ids(request.user)
    if not ids:
        raise Http404("no enterprise")
    chosen = request.session.get(SESSION_KEY)
    if chosen not in ids:
        if len(ids) > 1:
            return None
        chosen = ids[0]
    return access_enterprise(request.user, chosen, Perm.OPERATE)


def choose_enterprise(request: HttpRequest, enterprise_id: Any) -> Enterprise:
    """Remember the picked enterprise for this session (after the same access check)."""
    enterprise = access_enterprise(request.user, enterprise_id, Perm.OPERATE)
    request.session[SESSION_KEY] = enterprise.pk
    return enterprise


def operator_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A ``/w/`` page: called as ``view(request, enterprise, ...)`` for the operated enterprise."""

    @login_required
    @not_found_as_404
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        enterprise = operating_enterprise(request)
        if enterprise is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('registry:pick_enterprise')}?{query}")
        return view(request, enterprise, *args, **kwargs)

    return wrapper


def inspector_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A ``/r/`` page: inspectors (any jurisdiction) and admins; rows still go through access."""

    @login_required
    @not_found_as_404
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scope = scope_for(request.user)
        if not (scope.is_inspector or scope.is_admin):
            raise Http404("not an inspector")
        return view(request, *args, **kwargs)

    return wrapper
