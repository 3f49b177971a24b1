"""The chain's API: lots and stock, events (read and record), trace and recalls.

One router for the app, assembled from one module per noun. The API and schema modules
do without ``from __future__ import annotations``: ninja and pydantic read the
annotations when the routes are declared.
"""

from ninja import Router

from shilian.chain.api import events, lots, recording, tracing

router = Router()
router.add_router("", lots.router)
router.add_router("", events.router)
router.add_router("", recording.router)
router.add_router("", tracing.router)

__all__ = ["router"]
