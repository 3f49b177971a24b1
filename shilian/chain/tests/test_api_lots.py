"""The chain API's reads: lots by any reference, lot history, stock, event lists, and the
number of queries each list takes."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.chain.actions import dispose_lot, void_event
from shilian.chain.lotref import lgtin_urn
from shilian.chain.tests.test_api_support import (
    world_fixture,  # noqa: F401 — the `world` fixture
)
from shilian.core.testing import factories as f
from shilian.core.testing.api import call

pytestmark = pytest.mark.django_db


def test_lot_detail_fields(world):
    made, product = world["made"], world["product"]
    body = call("get", f"/api/v1/lots/{made.pk}", world["users"]["operator"]).json()
    assert body["enterprise"] == {"id": world["shop"].pk, "name": "石塘虾干作坊"}
    assert body["product"] == {"id": product.pk, "name": "虾干", "gtin": "06901234567892"}
    assert body["lgtin"] == lgtin_urn("06901234567892", made.code)
    assert (body["quantity_on_hand"], body["quantity_in"], body["unit"]) == ("39.000", "40.000", "kg")
    assert (body["origin"], body["status"], body["test_status"]) == ("produced", "active", "untested")
    assert body["expires_on"] == (made.produced_on + dt.timedelta(days=180)).isoformat()
    assert body["created_at"].endswith("+08:00")
    raw = call("get", f"/api/v1/lots/{world['raw'].pk}", world["users"]["operator"]).json()
    assert (raw["supplier"], raw["product"], raw["lgtin"]) == ({"id": world["supplier"].pk, "name": "渔港批发"}, None, None)


def test_lot_by_every_reference_form(world):
    made = world["made"]
    user = world["users"]["inspector_in"]
    link = f"https://id.example.cn/01/06901234567892/10/{made.code}"
    refs = [str(made.pk), lgtin_urn("06901234567892", made.code), lgtin_urn("6901234567892", made.code, 9)]
    for ref in refs:
        assert call("get", f"/api/v1/lots/{ref}", user).json()["id"] == made.pk, ref
        assert call("get", f"/api/v1/lots/lookup?ref={quote(ref, safe='')}", user).json()["id"] == made.pk, ref
    assert call("get", f"/api/v1/lots/lookup?ref={quote(link, safe='')}", user).json()["id"] == made.pk
    assert call("get", f"/api/v1/lots/{quote(link, safe='')}", user).json()["id"] == made.pk


@pytest.mark.parametrize(
    ("ref", "status"),
    [
        ("urn:epc:class:lgtin:123.4.X", 422),  # prefix + item must be 13 digits
        ("https://id.example.cn/01/06901234567893/10/A1", 422),  # wrong check digit
        ("https://id.example.cn/02/06901234567892", 422),
        ("lot-seven", 422),
        ("https://id.example.cn/01/06901234567892/10/NOPE", 404),
        ("987654", 404),
    ],
)
def test_bad_lot_references_name_ref(world, ref, status):
    response = call("get", f"/api/v1/lots/lookup?ref={quote(ref, safe='')}", world["users"]["admin"])
    assert response.status_code == status
    assert [e["field"] for e in response.json()["errors"]] == ["ref"]


def test_lot_list_filters(world):
    admin = world["users"]["admin"]
    codes = lambda q: sorted(x["code"] for x in call("get", f"/api/v1/lots?{q}", admin).json()["items"])  # noqa: E731
    assert codes(f"enterprise={world['shop'].pk}") == sorted(["R1", "R2", world["made"].code])
    assert codes("status=recalled") == ["R2"]
    assert codes(f"product={world['product'].pk}") == [world["made"].code]
    assert codes("q=R") == ["R1", "R2"]
    page = call("get", "/api/v1/lots?limit=2&offset=1", admin).json()
    assert (page["count"], len(page["items"])) == (4, 2)


def test_lot_history_is_chronological_with_voided_events_flagged(world):
    raw = world["raw"]
    disposal = dispose_lot(raw, quantity="2", unit="kg", reason="破损", occurred_at=f.now(), acting_user=None)
    void_event(disposal, reason="录错了", acting_user=None)
    rows = call("get", f"/api/v1/lots/{raw.pk}/events", world["users"]["inspector_in"]).json()["items"]
    assert [(r["event_type"], r["voided"]) for r in rows] == [
        ("receive", False), ("transform", False), ("dispose", True), ("void", False)
    ]
    receipt = rows[0]
    assert receipt["partner"] == {"id": world["supplier"].pk, "name": "渔港批发"}
    assert receipt["lines"] == [
        {"lot": raw.pk, "lot_code": "R1", "product_name": "鲜虾", "role": "output", "quantity": "100.000", "unit": "kg"}
    ]
    assert rows[3]["voids"] == disposal.pk
    assert rows[3]["detail"] == {"reason": "录错了"}
    assert rows[0]["occurred_at"].endswith("+08:00")


def test_stock_flags_lots_expired_or_expiring_within_7_days(world):
    shop = world["shop"]
    today = timezone.localdate()
    for code, produced, expires in [
        ("E1", today - dt.timedelta(days=30), today - dt.timedelta(days=1)),
        ("E2", today - dt.timedelta(days=30), today + dt.timedelta(days=7)),
        ("E3", today - dt.timedelta(days=30), today + dt.timedelta(days=8)),
    ]:
        f.receive(shop, quantity="3", product_name="虾皮", lot_code=code, produced_on=produced, expires_on=expires,
                  occurred_at=f.now() - dt.timedelta(days=20))  # received while all were good
    empty = f.receive(shop, quantity="1", product_name="虾皮", lot_code="E4")
    dispose_lot(empty, quantity="1", unit="kg", reason="用完", occurred_at=f.now(), acting_user=None)
    rows = call("get", f"/api/v1/stock?enterprise={shop.pk}", world["users"]["operator"]).json()["items"]
    listed = [(r["code"], r["expiry_warning"], r["status"]) for r in rows]
    # soonest expiry first, lots without an expiry date last, empty lots left out; a recalled
    # lot is still held (quarantined) and shows with its status
    assert listed == [
        ("E1", True, "active"), ("E2", True, "active"), ("E3", False, "active"), (world["made"].code, False, "active"),
        ("R1", False, "active"), ("R2", False, "recalled"),
    ]
    expiring = call("get", f"/api/v1/stock?enterprise={shop.pk}&expiring=true", world["users"]["inspector_in"]).json()
    assert [r["code"] for r in expiring["items"]] == ["E1", "E2"]
    missing = call("get", "/api/v1/stock", world["users"]["operator"])
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "enterprise"


def test_event_list_filters(world):
    admin = world["users"]["admin"]
    types = lambda q: [e["event_type"] for e in call("get", f"/api/v1/events?{q}", admin).json()["items"]]  # noqa: E731
    assert types(f"enterprise={world['shop'].pk}&type=ship") == ["ship"]
    assert types(f"enterprise={world['other'].pk}") == ["receive"]
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert types(f"since={quote(future)}") == []
    bad = call("get", "/api/v1/events?type=teleport", admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "type"


def _queries(path, user):
    with CaptureQueriesContext(connection) as ctx:
        response = call("get", path, user)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _grow(world, n):
    shop = world["shop"]
    for _ in range(n):
        lot = f.receive(shop, quantity="5", product_name="鲜虾", supplier=world["supplier"])
        f.ship(shop, lot, "1")
        f.ship(shop, world["raw"], "1")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # token + roles, then count + page (+ lines and documents for events)
        ("/api/v1/lots", 4),
        ("/api/v1/stock?enterprise={shop}", 5),  # + the enterprise
        ("/api/v1/events", 6),
        ("/api/v1/lots/{raw}/events", 7),  # + the lot
        ("/api/v1/recalls", 4),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(world, path, expected):
    path = path.format(shop=world["shop"].pk, raw=world["raw"].pk)
    users = [world["users"][a] for a in ("operator", "inspector_in", "admin")]
    _grow(world, 2)
    before = [_queries(path, u) for u in users]
    _grow(world, 6)
    assert [_queries(path, u) for u in users] == before
    assert before[0] == expected
