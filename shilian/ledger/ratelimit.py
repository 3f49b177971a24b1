"""Per-client limits on the ledger's public pages (django-ratelimit's counters, default cache)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django_ratelimit.core import get_usage

# Proof pages recompute hashes: 1 a second on average per client address.
PROOF_RATE = "60/m"
# The roots are small, cacheable JSON.
ROOTS_RATE = "120/m"
_PROXIES = {"127.0.0.1", "::1"}  # nginx in front sets X-Real-IP


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


def retry_after(request: Any, group: str, rate: str) -> int | None:
    """Count this request; the seconds to wait when the client is over ``rate``, else None."""
    usage = get_usage(request, group=group, key=_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))
