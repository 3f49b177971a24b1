"""The front door: cached consumer pages served before Django's request cycle.

With the embedded default (granian, two workers, no nginx), Django's own request cycle
and middleware cost more than rendering the page from cache (measured in
``bench/consumer.py``). This WSGI wrapper answers the one hot request — a GET of a code
URI whose page is cached in this process at the lot's current version — with the same
bytes and headers the resolver view would send, in a fraction of the time. It does what
that view does for a hit: the per-client rate limit, the version read, the scan log and
``If-None-Match``. Anything else (a miss, an error, a linkset, a limited client, another
path) goes to Django untouched, so the view stays the one definition of the behaviour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import close_old_connections
from django.utils.encoding import escape_uri_path

from shilian.codes.digital_link import CodeKey, DigitalLinkError, parse_uri
from shilian.scan import scanlog
from shilian.scan.choices import ScanKind
from shilian.scan.client import describe_request
from shilian.scan.linkset import MEDIA_TYPE
from shilian.scan.pages import PAGE_FORMAT, cache_key, page_cache, page_language
from shilian.scan.queries.page import lot_version
from shilian.scan.ratelimit import RESOLVE_RATE, retry_after
from shilian.scan.resolver import resolve_key
from shilian.scan.scanrows import scan_row

logger = logging.getLogger(__name__)
# Code URIs read lately (a URI always reads the same): parsing one costs ~25 µs.
PARSED_SIZE = 50_000
_parsed: dict[str, CodeKey] = {}
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _fixed_headers() -> list[tuple[str, str]]:
    """What Django's middleware adds to the resolver's answer (see the header test)."""
    headers = [("Vary", "Accept, Accept-Language")]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    return headers


def _secure(environ: dict[str, Any]) -> bool:
    if environ.get("wsgi.url_scheme") == "https":
        return True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    return proxy is not None and environ.get(proxy[0]) == proxy[1]


class FrontDoor:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.headers: list[tuple[str, str]] | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and (path.startswith("/01/") or path.startswith("/t/")):
            # What Django's request_started/finished receivers do for a request that
            # touches only the database (and nothing else they clean up).
            close_old_connections()
            try:
                answer = self.hit(environ, path)
            except Exception:  # the view will answer, and report, whatever went wrong here
                logger.exception("front door: falling back to the view")
                answer = None
            finally:
                close_old_connections()
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.app(environ, start_response)

    def hit(self, environ: dict[str, Any], path: str) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The answer when the page is cached at the current version; None otherwise."""
        query = environ.get("QUERY_STRING", "")
        params = dict(parse_qsl(query)) if query else {}
        if "linkType" in params or MEDIA_TYPE in environ.get("HTTP_ACCEPT", ""):
            return None
        uri = escape_uri_path(path) + (f"?{query}" if query else "")
        key = _parsed.get(uri)
        try:
            if key is None:
                key = parse_uri(uri)
                if len(_parsed) >= PARSED_SIZE:
                    _parsed.clear()
                _parsed[uri] = key
            if key.level == "product":
                return None
            target = resolve_key(key)
        except DigitalLinkError:
            return None
        lang = page_language(params.get("lang"))
        version = lot_version(target.lot_id)
        body = page_cache().get(cache_key(target.lot_id, lang, version))
        if body is None:
            return None
        # Counted only here, when the door answers (a request passed on is counted by the view).
        if retry_after(SimpleNamespace(META=environ, method="GET"), "scan.resolve", RESOLVE_RATE) is not None:
            return None  # the view counts it once more and answers 429
        if "lang" not in params:
            scanlog.log_scan(scan_row(key, describe_request(environ), kind=ScanKind.PAGE, target=target))
        etag = f'"{PAGE_FORMAT}-{target.lot_id}-{lang}-{version}"'
        if self.headers is None:
            self.headers = _fixed_headers()
        headers = [
            ("ETag", etag),
            ("Cache-Control", "no-cache"),
            ("Link", f'<{escape_uri_path(path)}?linkType=linkset>; rel="linkset"; type="{MEDIA_TYPE}"'),
            ("Content-Language", "en" if lang == "en" else "zh-Hans"),
            *self.headers,
        ]
        if settings.SECURE_HSTS_SECONDS and _secure(environ):
            headers.append(("Strict-Transport-Security", _hsts()))
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            return "304 Not Modified", headers, b""
        headers[:0] = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        return "200 OK", headers, body


def _hsts() -> str:
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def front_door(app: WSGIApp) -> FrontDoor:
    """Wrap the server's WSGI application (``shilian.config.wsgi``) with the front door; the
    scan log is then written by a background thread of each worker (``scanlog``)."""
    scanlog.use_background_writer()
    return FrontDoor(app)
