"""Per-client limits on the public endpoints (django-ratelimit's counters).

The counters live in the ``default`` cache. In the embedded default that is locmem,
one per granian worker process, so a client spread over both workers may get up to
twice a limit before being refused: the limits are set with that in mind, as abuse
brakes, not quotas. A shared cache (Redis) makes them exact; in production nginx's
``limit_req`` (one shared zone for all nginx workers) guards the pre-rendered pages,
which never reach the app.

The client is the address nginx puts in ``X-Real-IP`` when the request came through
the local proxy, else the peer address; an IPv6 client is its /64.
"""

from shilian.core.ratelimit import client_address, retry_after

# Scans (pages and linksets): 2 a second on average per client address, enough for a
# shop's shared Wi-Fi or a mobile carrier's shared address; a scraper is slowed down.
RESOLVE_RATE = "120/m"
# Reports: a consumer files one, perhaps two; a flood from one client stops here.
REPORT_RATE = "10/h"

__all__ = ["REPORT_RATE", "RESOLVE_RATE", "client_address", "retry_after"]
