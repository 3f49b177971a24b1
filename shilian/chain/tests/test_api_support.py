"""Helpers for the chain API tests (this module holds no tests): a small food chain with
one user per actor of the permission matrix, and a client that sends bearer tokens."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shilian.chain.actions import start_recall
from shilian.chain.models import Document, EventLine, Lot, Recall, TraceEvent
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.core.testing.api import auth

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32



def upload(path, user, body, **files):
    data = {"payload": json.dumps(body)}
    for field, (name, content) in files.items():
        data[field] = SimpleUploadedFile(name, content)
    return Client().post(path, data, **auth(user))


def counts():
    return {
        "lots": Lot.objects.count(),
        "events": TraceEvent.objects.count(),
        "lines": EventLine.objects.count(),
        "history": HistoryEntry.objects.count(),
        "documents": Document.objects.count(),
        "recalls": Recall.objects.count(),
    }


def problem_fields(response):
    assert response["Content-Type"] == "application/problem+json"
    return [e["field"] for e in response.json().get("errors", [])]


@pytest.fixture(name="world")
def world_fixture():
    """A Shitang (Wenling) workshop with stock, a Xihu (Hangzhou) shop, one user per actor."""
    shop = f.make_enterprise(jurisdiction="331081102", name="石塘虾干作坊")
    other = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="西湖副食店")
    users = f.make_actors(shop, other)
    supplier = f.make_partner(shop, name="渔港批发")
    product = f.make_product(shop, name="虾干", gtin="6901234567892", shelf_life_days=180)
    raw = f.receive(shop, quantity="100", product_name="鲜虾", lot_code="R1", supplier=supplier)
    made = f.produce(shop, [(raw, "60")], product, "40")
    sale = f.ship(shop, made, "1")  # retail
    spoiled = f.receive(shop, quantity="10", product_name="鲜虾", lot_code="R2", supplier=supplier)
    recall = start_recall(spoiled, reason="抽检不合格", acting_user=users["inspector_in"])
    elsewhere = f.receive(other, quantity="5", product_name="白糖", lot_code="X1")
    for user in users.values():
        auth(user)
    return {
        "shop": shop, "other": other, "users": users, "supplier": supplier, "product": product,
        "raw": raw, "made": made, "sale": sale, "spoiled": spoiled, "recall": recall, "elsewhere": elsewhere,
    }
