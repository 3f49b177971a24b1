"""Test data for the ledger: one event of every kind the chain records."""

from __future__ import annotations

import io
from typing import Any

from shilian.chain.actions import (
    Attachment,
    BatchRef,
    InputSpec,
    OutputSpec,
    ReceiveOp,
    ShipLine,
    ShipOp,
    TransformOp,
    dispose_lot,
    receive_lot,
    record_batch,
    record_inspection,
    start_recall,
    void_event,
)
from shilian.chain.documents import check_document
from shilian.chain.models import Lot, TraceEvent
from shilian.core.identifiers import gtin_check_digit
from shilian.core.testing import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "cert.pdf", extra: bytes = b"") -> Any:
    return check_document(io.BytesIO(PDF + extra), name)


def gtin(n: int) -> str:
    body = f"690123456{n:04d}"
    return body + gtin_check_digit(body)


def every_kind() -> dict[str, Any]:
    """A maker and a shop on the platform with receive (with a certificate), transform, ship,
    receipt of the shipment, inspection (with a report), void, dispose, a batch and a recall
    reaching both: every chain action, every event sealed."""
    maker = f.make_enterprise(kind="manufacturer")
    shop = f.make_enterprise()
    user = f.make_operator(maker)
    flour = receive_lot(
        maker,
        acting_user=user,
        occurred_at=f.now(),
        quantity="50",
        unit="kg",
        product_name="面粉",
        lot_code="F1",
        supplier=f.make_partner(maker),
        attachments=[Attachment("certificate", pdf(), "QC-1")],
        reference_no="INV-1",
    ).lines.get().lot
    product = f.make_product(maker, name="粉丝", gtin=gtin(1), unit="kg")
    noodles = f.produce(maker, [(flour, "20")], product, "18")
    customer = f.make_partner(maker, linked=shop)
    shipment = f.ship(maker, noodles, "5", customer)
    received = receive_lot(shop, acting_user=None, occurred_at=f.now(), quantity="5", unit="kg", shipment=shipment)
    shop_lot = received.lines.get().lot
    record_inspection(
        noodles, kind="self", passed=True, occurred_at=f.now(), acting_user=user, items=[{"name": "水分", "value": 12.5}],
        lab="自检", report_no="R-1", report=Attachment("test_report", pdf("r.pdf", b"r"), "R-1"),
    )
    mistake = f.ship(maker, flour, "1")
    void_event(mistake, reason="录错", acting_user=user)
    dispose_lot(flour, quantity="500", unit="g", reason="受潮", occurred_at=f.now(), acting_user=user)
    batch = record_batch(
        maker,
        [
            ReceiveOp(f.now(), "10", "kg", "B1", product_name="红薯", supplier=f.make_partner(maker)),
            TransformOp(f.now(), inputs=[InputSpec(BatchRef(0), "4", "kg")], outputs=[OutputSpec(product, "3", "kg")]),
            ShipOp(f.now(), lines=[ShipLine(BatchRef(1), "1", "kg")]),
        ],
        acting_user=user,
    )
    start_recall(flour, reason="抽检不合格", acting_user=f.make_admin())
    return {
        "maker": maker,
        "shop": shop,
        "user": user,
        "flour": flour,
        "noodles": Lot.objects.get(pk=noodles.pk),
        "product": product,
        "shipment": shipment,
        "shop_lot": shop_lot,
        "batch": batch,
        "events": list(TraceEvent.objects.order_by("pk")),
    }
