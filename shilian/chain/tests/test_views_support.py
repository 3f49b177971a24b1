"""Helpers for the page tests (this module holds no tests): a small food chain crossing
from Wenling into Hangzhou, one user per actor of the permission matrix, and row counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shilian.chain.actions import Attachment, receive_lot
from shilian.chain.documents import check_document
from shilian.chain.models import Document, EventLine, Lot, LotEdge, Recall, TraceEvent
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.models import Partner

ACTORS = ("anonymous", "operator", "other_operator", "inspector_in", "inspector_out", "admin")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def counts():
    return {
        "lots": Lot.objects.count(),
        "events": TraceEvent.objects.count(),
        "lines": EventLine.objects.count(),
        "edges": LotEdge.objects.count(),
        "history": HistoryEntry.objects.count(),
        "documents": Document.objects.count(),
        "recalls": Recall.objects.count(),
        "partners": Partner.objects.count(),
        "recalled": Lot.objects.filter(status="recalled").count(),
    }


def pdf(name="cert.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world():
    """Shitang workshop (Wenling) buys rice, makes rice cakes and ships some to a Xihu shop
    (Hangzhou, outside a Wenling inspector's jurisdiction) and some at retail."""
    workshop = f.make_enterprise(jurisdiction="331081102", name="石塘年糕作坊")
    other = f.make_enterprise(jurisdiction="331081104", name="泽国糕点作坊")
    shop = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="西湖副食店")
    users = f.make_actors(workshop, other)
    supplier = f.make_partner(workshop, name="温岭粮油批发")
    to_shop = f.make_partner(workshop, linked=shop)
    product = f.make_product(workshop, name="年糕", gtin="6901234567892", shelf_life_days=30)
    certificate = check_document(pdf(), "cert.pdf")
    receipt = receive_lot(
        workshop,
        acting_user=users["operator"],
        occurred_at=f.now(),
        quantity="100",
        unit="kg",
        product_name="大米",
        lot_code="R1",
        supplier=supplier,
        attachments=[Attachment("certificate", certificate, "QC-1")],
    )
    raw = receipt.lines.get().lot
    made = f.produce(workshop, [(raw, "40")], product, "80")
    shipment = f.ship(workshop, made, "30", to_shop)
    elsewhere = f.receive(other, quantity="5", product_name="白糖", lot_code="X1")
    return {
        "workshop": workshop, "other": other, "shop": shop, "users": users, "supplier": supplier,
        "to_shop": to_shop, "product": product, "raw": raw, "made": made, "shipment": shipment,
        "receipt": receipt, "document": receipt.documents.get(), "elsewhere": elsewhere,
    }
