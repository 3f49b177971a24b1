"""Trace codes for the demo: every lot made in the last weeks carries one, as a workshop
that prints labels for what it sells would have it."""

from __future__ import annotations

import datetime as dt

from shilian.chain.choices import LotOrigin
from shilian.chain.models import Lot
from shilian.codes.actions import ensure_lot_code, issue_serials
from shilian.demo.world import World

RECENT_DAYS = 45  # what a shop may still have on its shelves
SHOWCASE_SERIALS = 24  # item codes (GTIN + lot + serial) for one lot, as a sheet of packs


def issue_codes(world: World, end: dt.date) -> int:
    """Issue the codes of the lots made since ``end - RECENT_DAYS``; returns how many lots."""
    operators = {actor.enterprise.pk: actor.user for actor in world.actors.values()}
    lots = list(
        Lot.objects.filter(origin=LotOrigin.PRODUCED, produced_on__gte=end - dt.timedelta(days=RECENT_DAYS))
        .select_related("product", "enterprise")
        .order_by("pk")
    )
    for lot in lots:
        ensure_lot_code(lot, acting_user=operators.get(lot.enterprise_id))
    with_gtin = [lot for lot in lots if lot.product is not None and lot.product.gtin and lot.status == "active"]
    if with_gtin:
        showcase = with_gtin[-1]
        issue_serials(showcase, SHOWCASE_SERIALS, acting_user=operators.get(showcase.enterprise_id))
    return len(lots)
