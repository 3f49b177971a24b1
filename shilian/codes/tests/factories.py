"""Lots with and without a GTIN, made through the chain's real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shilian.chain.actions import InputSpec, OutputSpec, record_transformation
from shilian.chain.models import Lot
from shilian.core.testing.factories import make_enterprise, make_product, now, receive
from shilian.registry.models import Enterprise


def produce_lot(
    enterprise: Enterprise | None = None,
    *,
    gtin: str | None = None,
    name: str = "温岭鱼干",
    lot_code: str = "",
    produced_on: dt.date = dt.date(2024, 10, 8),
    **product: Any,
) -> Lot:
    """A lot made by ``enterprise`` (a new workshop by default) of a new product."""
    enterprise = enterprise or make_enterprise()
    product.setdefault("storage", "阴凉干燥处")
    item = make_product(enterprise, name=name, gtin=gtin, **product)
    salt = receive(enterprise, quantity="50", product_name="海盐")
    event = record_transformation(
        enterprise,
        inputs=[InputSpec(salt, "5", salt.unit)],
        outputs=[OutputSpec(item, "100", item.unit, lot_code=lot_code, produced_on=produced_on)],
        occurred_at=now(),
        acting_user=None,
    )
    return event.lines.get(role="output").lot
