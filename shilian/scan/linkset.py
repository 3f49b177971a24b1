"""The GS1 linkset of a code (GS1-Conformant resolver standard, RFC 9264 JSON).

``Accept: application/linkset+json`` (or ``?linkType=linkset``/``all``) on a code URI
answers with one linkset whose anchor is the code's canonical URI: the default link and
the product information page (``gs1:pip``) in both languages, the recall status, and,
when the ingredients came with certificates, ``gs1:certificationInfo`` pointing at that
part of the page (the files themselves are not public).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shilian.chain.choices import DocumentKind
from shilian.scan.queries.page import LotPage

MEDIA_TYPE = "application/linkset+json"
GS1 = "https://gs1.org/voc/"
CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
CONTEXT_LINK = f'<{CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
HREFLANG = {"zh-hans": "zh-Hans", "en": "en"}


def _link(href: str, title: str, lang: str | None = None) -> dict[str, Any]:
    link: dict[str, Any] = {"href": href, "title": title, "type": "text/html"}
    if lang is not None:
        link["hreflang"] = [HREFLANG[lang]]
    return link


def _pages(anchor: str, title: dict[str, str], fragment: str = "") -> list[dict[str, Any]]:
    return [
        _link(f"{anchor}{fragment}", title["zh-hans"], "zh-hans"),
        _link(f"{anchor}?lang=en{fragment}", title["en"], "en"),
    ]


def _both(message: str) -> dict[str, str]:
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out[lang] = _(message)
    return out


def lot_linkset(page: LotPage, path: str) -> dict[str, Any]:
    """The linkset of a lot's code; ``path`` is its canonical code path."""
    anchor = f"{settings.SHILIAN_PUBLIC_URL}{path}"
    description = f"{page.product_name} {page.specification}".strip() + f" · {page.code} · {page.enterprise}"
    info = _pages(anchor, _both(gettext_noop("Product information")))
    links: dict[str, Any] = {
        "anchor": anchor,
        "itemDescription": description,
        f"{GS1}defaultLink": [info[0]],
        f"{GS1}pip": info,
    }
    if page.recalled:
        status = _both(gettext_noop("This lot has been recalled"))
        reason = f": {page.recall.reason}" if page.recall is not None and page.recall.reason else ""
        links[f"{GS1}recallStatus"] = [
            _link(f"{anchor}#recall", status["zh-hans"] + reason, "zh-hans"),
            _link(f"{anchor}?lang=en#recall", status["en"] + reason, "en"),
        ]
    else:
        links[f"{GS1}recallStatus"] = _pages(anchor, _both(gettext_noop("Not recalled")), "#product")
    with translation.override("zh-hans"):
        labels = {kind.value: str(kind.label) for kind in DocumentKind}
    certificates = [
        f"{source.product_name} {source.code}: "
        + ", ".join(f"{labels.get(kind, kind)} {number}".strip() for kind, number in source.certificates)
        for source in page.sources
        if source.certificates
    ]
    if certificates:
        links[f"{GS1}certificationInfo"] = [
            _link(f"{anchor}#sources", "; ".join(certificates), "zh-hans"),
        ]
    links[f"{GS1}traceability"] = _pages(anchor, _both(gettext_noop("Where the ingredients came from")), "#sources")
    return {"linkset": [links]}


def product_linkset(*, path: str, description: str) -> dict[str, Any]:
    """The linkset of a product-level code: its page (which lists the product's lots)."""
    anchor = f"{settings.SHILIAN_PUBLIC_URL}{path}"
    info = _pages(anchor, _both(gettext_noop("Product information")))
    return {"linkset": [{"anchor": anchor, "itemDescription": description, f"{GS1}defaultLink": [info[0]], f"{GS1}pip": info}]}
