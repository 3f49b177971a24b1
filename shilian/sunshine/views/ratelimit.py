"""Rates of the public video endpoints (counted by ``shilian.core.ratelimit``).

Generous: a phone playing live HLS asks for a playlist and a segment every second.
"""

from shilian.core.ratelimit import client_address, too_many

# Live HLS (playlist + segment each second) and snapshots: a few viewers behind one address.
MEDIA_RATE = "900/m"
# The consumer page's room slot: one per page view.
ROOM_RATE = "120/m"

__all__ = ["MEDIA_RATE", "ROOM_RATE", "client_address", "too_many"]
