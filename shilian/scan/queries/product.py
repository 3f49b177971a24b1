"""What a product-level code (``/01/{gtin}``) shows: the product and its latest lots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shilian.catalog.models import Product
from shilian.chain.choices import LotStatus
from shilian.chain.models import Lot
from shilian.codes.digital_link import build_uri

LATEST_LOTS = 20


@dataclass(frozen=True)
class LotLink:
    path: str
    code: str
    produced_on: dt.date | None
    recalled: bool


def latest_lots(product: Product) -> list[LotLink]:
    """The owner's latest lots of the product, newest first, each with its code path."""
    rows = (
        Lot.objects.filter(product=product, enterprise_id=product.enterprise_id)
        .order_by("-produced_on", "-pk")
        .values_list("code", "produced_on", "status")[:LATEST_LOTS]
    )
    return [
        LotLink(build_uri(gtin=product.gtin, lot=code, base=""), code, produced_on, status == LotStatus.RECALLED)
        for code, produced_on, status in rows
    ]
