"""Per-client limits on the public video endpoints (django-ratelimit's counters, default cache).

The client is the address nginx puts in ``X-Real-IP`` when the request came through the
local proxy, else the peer address; an IPv6 client is its /64. Generous limits: a phone
playing live HLS asks for a playlist and a segment every second.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.http import HttpResponse
from django_ratelimit.core import get_usage

# Live HLS (playlist + segment each second) and snapshots: a few viewers behind one address.
MEDIA_RATE = "900/m"
# The consumer page's room slot: one per page view.
ROOM_RATE = "120/m"
_PROXIES = {"127.0.0.1", "::1"}


def client_address(request: Any) -> str:
    address = str(request.META.get("REMOTE_ADDR") or "")
    if address in _PROXIES:
        address = str(request.META.get("HTTP_X_REAL_IP") or "").strip() or address
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
        except ValueError:
            return address
    return address


def _key(group: str, request: Any) -> str:
    return client_address(request)


def too_many(request: Any, group: str, rate: str) -> HttpResponse | None:
    """Count this request; a 429 answer when the client is over ``rate``, else None."""
    usage = get_usage(request, group=group, key=_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    response = HttpResponse("Too many requests / 请求过于频繁", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(max(1, int(usage["time_left"])))
    return response
