"""Answers the public pages share: the small error page, the problem document, 429."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shilian.scan.linkset import MEDIA_TYPE

PROBLEM = "application/problem+json"
_HEADINGS = {
    400: gettext_noop("This code cannot be read"),
    404: gettext_noop("This code is not known"),
    429: gettext_noop("Too many requests"),
}


def wants_linkset(request: HttpRequest) -> bool:
    """Content negotiation: ``Accept: application/linkset+json`` or ``?linkType=linkset|all``."""
    if request.GET.get("linkType") in ("linkset", "all"):
        return True
    return MEDIA_TYPE in request.META.get("HTTP_ACCEPT", "")


def public_headers(response: HttpResponse, lang: str) -> HttpResponse:
    response["Content-Language"] = "en" if lang == "en" else "zh-Hans"
    response["Vary"] = "Accept"
    return response


def error_page(request: HttpRequest, status: int, message: str, *, lang: str, retry_after: int | None = None) -> HttpResponse:
    """A page (or, to a linkset client, an RFC 7807 problem) saying what is wrong."""
    with translation.override(lang):
        heading = _(_HEADINGS.get(status, "This code cannot be read"))
        if wants_linkset(request):
            body: dict[str, Any] = {"type": "about:blank", "title": heading, "status": status, "detail": message}
            response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)
        else:
            context = {"lang": lang, "title": heading, "heading": heading, "message": message, "status": status}
            context["retry_after"] = retry_after
            response = HttpResponse(render_to_string("scan/error.html", context), status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return public_headers(response, lang)


def too_many(request: HttpRequest, seconds: int, *, lang: str) -> HttpResponse:
    with translation.override(lang):
        message = _("You sent too many requests in a short time.")
    return error_page(request, 429, message, lang=lang, retry_after=seconds)
