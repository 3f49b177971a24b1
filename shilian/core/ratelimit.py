"""Per-client limits on the public endpoints (django-ratelimit's counters), shared by every app.

The counters live in the ``default`` cache. In the embedded default that is locmem, one per
granian worker process, so a client spread over both workers may get up to twice a limit
before being refused: limits are abuse brakes, not quotas. A shared cache (Redis) makes them
exact.

The client is the address nginx puts in ``X-Real-IP`` when the request came through the local
proxy, else the peer address; an IPv6 client is its /64 (one phone rotates addresses within it).
Each app keeps its own rates beside its views.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django_ratelimit.core import get_usage

TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})  # nginx in front sets X-Real-IP


def client_ip(meta: Mapping[str, Any]) -> str:
    """The client's address: ``X-Real-IP`` when a local proxy (nginx) set it, else the peer."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    if remote in TRUSTED_PROXIES:
        forwarded = str(meta.get("HTTP_X_REAL_IP") or "").strip()
        if forwarded:
            return forwarded
    return remote


def client_address(request: Any) -> str:
    """The key a client is counted under: its address, or its /64 for IPv6."""
    address = client_ip(request.META)
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
        except ValueError:
            return address
    return address


def _key(group: str, request: Any) -> str:
    return client_address(request)


def usage(request: Any, group: str, rate: str, *, increment: bool) -> tuple[int, int, int]:
    """(count, limit, seconds left in the window) of this client's counter, counting this request
    when ``increment``."""
    got = get_usage(request, group=group, key=_key, rate=rate, increment=increment)
    if got is None:
        return 0, 0, 0
    return int(got["count"]), int(got["limit"]), max(1, int(got["time_left"]))


def retry_after(request: Any, group: str, rate: str) -> int | None:
    """Count this request; the seconds to wait when the client is over ``rate``, else None."""
    count, limit, left = usage(request, group, rate, increment=True)
    return left if count > limit else None


def too_many(request: Any, group: str, rate: str) -> HttpResponse | None:
    """Count this request; a plain 429 answer (with Retry-After) when over ``rate``, else None."""
    wait = retry_after(request, group, rate)
    if wait is None:
        return None
    response = HttpResponse("Too many requests / 请求过于频繁", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response
