"""Helpers for the server-rendered pages.

One view, two renderings (django-htmx's example app): the full page, or one
``{% partialdef %}`` of the same template when htmx asked for a fragment. Domain
errors raised by actions land on the form field they name, so a refused action shows
where the input was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any

from django.core.paginator import Page, Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from shilian.core.errors import DomainError, NotFoundError


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for part of a page (not a boosted link, not a history restore)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only ``template#partial`` when htmx asked for a fragment."""
    name = f"{template}#{partial}" if partial and wants_fragment(request) else template
    response = render(request, name, dict(context), status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request: HttpRequest, items: Any, per_page: int = 25) -> Page:
    """The page named by ``?page=``; a bad number gives the first or last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def not_found_as_404(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Turn the access funnels' one NotFoundError (missing or forbidden) into a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from None

    return wrapper


_INDEXED = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")


def apply_domain_error(
    exc: DomainError,
    form: BaseForm,
    *,
    rows: Mapping[str, Sequence[BaseForm]] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Put an action's error on the field it names.

    ``inputs[0].quantity`` goes to ``rows["inputs"][0]`` (the row forms in the order they
    were given to the action, blank rows left out); ``aliases`` maps an
    action's names to the form's (``{"outputs[0]": ""}`` puts ``outputs[0].lot_code`` on
    the main form's ``lot_code``). Anything else becomes an error of the whole form.
    """
    field = exc.field or ""
    for prefix, replacement in (aliases or {}).items():
        if field == prefix:
            field = replacement
        elif field.startswith(prefix + "."):
            field = (f"{replacement}." if replacement else "") + field[len(prefix) + 1 :]
    match = _INDEXED.match(field)
    if match and rows and match["name"] in rows:
        given = rows[match["name"]]
        index = int(match["index"])
        if index < len(given):
            row = given[index]
            name = match["field"]
            row.add_error(name if name in row.fields else None, exc.message)
            return
    if rows and field in rows:
        form.add_error(None, exc.message)
        return
    form.add_error(field if field in form.fields else None, exc.message)
