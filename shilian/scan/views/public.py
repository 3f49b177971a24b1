"""The resolver: a code's URI answers with its consumer page, or its GS1 linkset.

``/01/{gtin}/10/{lot}[/21/{serial}]``, ``/01/{gtin}`` and ``/t/{code}[/21/{serial}]``, with
query attributes. The page comes back at the scanned URI itself (no redirect: on a weak
connection each round trip costs seconds). A malformed code answers 400 and an unknown
one 404, each with a page saying what is wrong; every other scan is logged.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_safe

from shilian.codes.digital_link import CodeKey, DigitalLinkError, build_uri, parse_uri
from shilian.codes.queries import product_for_key
from shilian.scan import scanlog
from shilian.scan.choices import ScanKind
from shilian.scan.client import describe_request
from shilian.scan.linkset import CONTEXT_LINK, GS1, MEDIA_TYPE, lot_linkset, product_linkset
from shilian.scan.pages import PAGE_FORMAT, cached_page, canonical_path, page_language
from shilian.scan.queries.page import load_page
from shilian.scan.queries.product import latest_lots
from shilian.scan.ratelimit import RESOLVE_RATE, retry_after
from shilian.scan.resolver import Target, resolve_and_read
from shilian.scan.scanrows import ScanRow, scan_row
from shilian.scan.views.responses import error_page, public_headers, too_many, wants_linkset


def _row(request: HttpRequest, key: CodeKey, target: Target | None, kind: str, **copied: Any) -> ScanRow:
    return scan_row(key, describe_request(request.META), kind=kind, target=target, **copied)


def _log(request: HttpRequest, scan: ScanRow) -> None:
    """Scans are GETs without ``?lang=`` (switching language on the page is not a scan)."""
    if request.method == "GET" and "lang" not in request.GET:
        scanlog.log_scan(scan)


def _linkset_response(body: dict, lang: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=MEDIA_TYPE)
    response["Link"] = CONTEXT_LINK
    response["Cache-Control"] = "no-cache"
    return public_headers(response, lang)


@require_safe
def resolve(request: HttpRequest) -> HttpResponse:
    lang = page_language(request.GET.get("lang"))
    wait = retry_after(request, "scan.resolve", RESOLVE_RATE)
    if wait is not None:
        return too_many(request, wait, lang=lang)
    try:
        key = parse_uri(request.get_full_path())
    except DigitalLinkError as exc:
        return error_page(request, exc.status, exc.message, lang=lang)
    try:
        if key.level == "product":
            return _product(request, key, lang)
        if wants_linkset(request):
            target, page = resolve_and_read(key, load_page)
        else:
            target, found = resolve_and_read(key, lambda lot_id: cached_page(lot_id, lang))
    except DigitalLinkError as exc:  # unknown: logged too (a code nobody issued may be a fake)
        _log(request, _row(request, key, None, ScanKind.PAGE))
        return error_page(request, exc.status, exc.message, lang=lang)
    if wants_linkset(request):
        if page is None:  # pragma: no cover - found by the lookup a moment ago
            return error_page(request, 404, "lot not found", lang=lang)
        _log(request, _row(request, key, target, ScanKind.LINKSET))
        return _linkset_response(lot_linkset(page, canonical_path(page) or request.path), lang)
    if found is None:  # pragma: no cover - found by the lookup a moment ago
        return error_page(request, 404, "lot not found", lang=lang)
    body, version = found
    _log(request, _row(request, key, target, ScanKind.PAGE))
    etag = f'"{PAGE_FORMAT}-{target.lot_id}-{lang}-{version}"'
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Link"] = f'<{escape_uri_path(request.path)}?linkType=linkset>; rel="linkset"; type="{MEDIA_TYPE}"'
    return public_headers(response, lang)


def _product(request: HttpRequest, key: CodeKey, lang: str) -> HttpResponse:
    product = product_for_key(key)
    scan = _row(
        request,
        key,
        None,
        ScanKind.LINKSET if wants_linkset(request) else ScanKind.PAGE,
        product_id=product.pk,
        enterprise_id=product.enterprise_id,
        jurisdiction_code=product.enterprise.jurisdiction_id,
    )
    _log(request, scan)
    path = build_uri(gtin=key.gtin, base="")
    if wants_linkset(request):
        description = f"{product.name} {product.specification}".strip() + f" · {product.enterprise.name}"
        return _linkset_response(product_linkset(path=path, description=description), lang)
    context = {
        "lang": lang,
        "title": product.name,
        "product": product,
        "lots": latest_lots(product),
        "other_href": path if lang == "en" else f"{path}?lang=en",
    }
    with translation.override(lang):
        response = HttpResponse(render_to_string("scan/product.html", context))
    response["Cache-Control"] = "no-cache"
    return public_headers(response, lang)


def resolver_description(request: HttpRequest) -> HttpResponse:
    """``/.well-known/gs1resolver``: what this GS1-Conformant resolver answers."""
    root = settings.SHILIAN_PUBLIC_URL
    body = {
        "name": "shilian",
        "resolverRoot": root,
        "supportedPrimaryKeys": ["gtin"],
        "supportedContextValuesEnumerated": [],
        "linkTypeDefaultCanBeLinkset": False,
        "supportedLinkType": [
            {"namespace": GS1, "prefix": "gs1:", "profile": "https://gs1.org/voc/?show=linktypes"},
        ],
        "validatingRegex": r"^/01/\d{8,14}(/10/[^/]{1,20}(/21/[^/]{1,20})?)?/?$",
        "resolverTimestamp": timezone.now().isoformat(timespec="seconds"),
    }
    response = HttpResponse(json.dumps(body), content_type="application/json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
