"""The consumer page of a lot: rendered once per version and language, then served from cache.

The cache key carries the lot's version (``queries.page.lot_version``), read on every
request with one indexed statement, so a page is never served after an event changed
it, whichever process cached it: each granian worker keeps its own locmem copy and
re-renders when the version moves. Nothing in the page depends on the request (no
CSRF token, no user, no date-relative wording), so the same bytes can be written to a
file for nginx (``prerender``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache

from shilian.codes.digital_link import build_uri
from shilian.scan.queries.page import LotPage, load_page, lot_version
from shilian.scan.render import render_page

# Bump when the template or the page data changes shape: every cached and pre-rendered
# page is then rendered again.
PAGE_FORMAT = "2"
# A cached page also expires after an hour, which bounds how long an edit made outside
# the chain's events (a product's ingredients changed in the admin) stays unseen.
PAGE_TTL = 3600
DEFAULT_LANGUAGE = "zh-hans"
LANGUAGES = ("zh-hans", "en")
# The cache alias for pages when settings name one (Redis, say, shared by the workers);
# otherwise each process keeps its own locmem cache, apart from the ``default`` one so
# that rate-limit counters (one per client) never push pages out.
CACHE_ALIAS = "scan"
LOCAL_PAGES = 5000  # ~40 MB per process at ~8 KB a page
_local_cache: BaseCache | None = None


def page_language(value: str | None) -> str:
    """The page language from ``?lang=``: English on request, Chinese otherwise."""
    return "en" if value == "en" else DEFAULT_LANGUAGE


def page_cache() -> BaseCache:
    global _local_cache
    if CACHE_ALIAS in settings.CACHES:
        return caches[CACHE_ALIAS]
    if _local_cache is None:
        _local_cache = LocMemCache("shilian-scan-pages", {"TIMEOUT": PAGE_TTL, "OPTIONS": {"MAX_ENTRIES": LOCAL_PAGES}})
    return _local_cache


def cache_key(lot_id: int, lang: str, version: str) -> str:
    return f"scan:page:{PAGE_FORMAT}:{lot_id}:{lang}:{version}"


def canonical_path(page: LotPage) -> str:
    """The lot's own code path (no serial, no attributes): the page's canonical address."""
    if page.gtin and page.gtin_owner:
        return build_uri(gtin=page.gtin, lot=page.code, base="")
    if page.short_code:
        return build_uri(short=page.short_code, base="")
    return ""


def render_lot_page(page: LotPage, lang: str, *, form_data: Any = None, form_errors: Any = None) -> str:
    """The page's HTML in ``lang``; with ``form_*`` the report form shows what was sent back."""
    return render_page(
        page, lang, canonical=canonical_path(page), origin=settings.SHILIAN_PUBLIC_URL,
        form_data=form_data, form_errors=form_errors,
    )


def cached_page(lot_id: int, lang: str) -> tuple[bytes, str] | None:
    """The page bytes and version of a lot in ``lang``: one statement when cached,
    four when rendered. None when there is no such lot."""
    version = lot_version(lot_id)
    cache = page_cache()
    key = cache_key(lot_id, lang, version)
    body = cache.get(key)
    if body is None:
        page = load_page(lot_id, version=version)
        if page is None:
            return None
        body = render_lot_page(page, lang).encode()
        cache.set(key, body, PAGE_TTL)
    return body, version
