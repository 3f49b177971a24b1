"""Receive by scanning (件件扫码): scan the supplier's code, book in its shipment in one tap.

``GET /w/receive/scan/`` shows a camera button (a photo, decoded on the server) and a
text field (what a scanner gun types); where the browser has ``BarcodeDetector`` a
small script scans live and fills the field. A typed code is looked up with
``GET ?code=…``; a photo is ``POST``-ed, decoded, and redirected to that same lookup,
so the result can be reloaded. Confirming posts to ``chain:receive_shipment``, which
books the lot in and links the two events in the trace. Nothing here writes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from shilian.codes.digital_link import CodeKey, DigitalLinkError
from shilian.codes.queries import uri_for_key
from shilian.codes.scanning.forms import CodeForm, PhotoForm
from shilian.codes.scanning.resolve import Outcome, resolve
from shilian.core.htmx import render_page
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page

PHOTO_RATE = "30/m"  # photos decoded per user and minute: decoding costs up to ~0.3 s of CPU
TOO_MANY_PHOTOS = "拍照识别太频繁，请稍等一分钟 / too many photos in a minute: wait a moment"
OUTCOME_MESSAGES = {
    Outcome.RECEIVED: _("This lot was shipped to you and is already received."),
    Outcome.NOT_SHIPPED: _(
        "This lot was not shipped to you on the platform. If the goods are here, record the receipt with the form."
    ),
    Outcome.UNKNOWN: _(
        "This code is not known on the platform: the supplier may not use Shilian. Record the receipt with the form."
    ),
    Outcome.PRODUCT_NOT_SHIPPED: _(
        "This is a product barcode, and no shipment of the product to you is open. Scan the trace code of the lot, "
        "or record the receipt with the form."
    ),
}


def lookup_url(key: CodeKey) -> str:
    """The scan page's lookup of ``key`` (the code as a bare Digital Link / short-link path)."""
    return f"{reverse('scanning:receive_scan')}?{urlencode({'code': uri_for_key(key, base='')})}"


def _page(request: HttpRequest, enterprise: Enterprise, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("photo_form", PhotoForm())
    context.setdefault("code_form", CodeForm())
    return render_page(
        request, "codes/scanning/receive_scan.html", {"enterprise": enterprise, **context}, status=status
    )


@operator_page
@require_http_methods(["GET", "POST"])
def receive_scan(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    if request.method == "POST":
        return _photo(request, enterprise)
    if "code" not in request.GET:
        return _page(request, enterprise)
    form = CodeForm(request.GET)
    if not form.is_valid():
        return _page(request, enterprise, code_form=form)
    key = form.cleaned_data["code"]
    try:
        resolution = resolve(request.user, enterprise, key)
    except DigitalLinkError as exc:
        form.add_error("code", exc.message)
        return _page(request, enterprise, code_form=form)
    return _page(
        request,
        enterprise,
        resolution=resolution,
        code_uri=uri_for_key(key),
        outcome_message=OUTCOME_MESSAGES.get(resolution.outcome, ""),
        receive_url=f"{reverse('chain:receive')}?{urlencode(resolution.prefill)}"
        if resolution.prefill
        else reverse("chain:receive"),
    )


def _photo(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    if is_ratelimited(request, group="scanning.photo", key="user", rate=PHOTO_RATE, increment=True):
        return _page(request, enterprise, limit_error=TOO_MANY_PHOTOS, status=429)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, enterprise, photo_form=form)
    keys = form.cleaned_data["photo"]
    if len(keys) == 1:
        return redirect(lookup_url(keys[0]))
    choices = [(uri_for_key(key), lookup_url(key)) for key in keys]
    return _page(request, enterprise, choices=choices)
