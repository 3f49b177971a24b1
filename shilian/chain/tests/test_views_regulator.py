"""Inspector pages: enterprises, lot search, the trace page, recalls and their downloads."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shilian.chain.actions import receive_lot, start_recall
from shilian.chain.lotref import lgtin_urn
from shilian.chain.models import Lot, Recall
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import client_for, counts
from shilian.core.testing import factories as f
from shilian.registry.actions import add_staff_member

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name


def _book_in_at_shop(w):
    return receive_lot(
        w["shop"], acting_user=None, occurred_at=f.now(), quantity="30", unit="kg", shipment=w["shipment"]
    ).lines.get().lot


def test_enterprise_list_is_the_inspectors_subtree_with_search(world):
    client = client_for(world["users"]["inspector_in"])
    names = [e.name for e in client.get("/r/").context["page"]]
    assert names == sorted([world["workshop"].name, world["other"].name])
    assert [e.name for e in client.get("/r/?q=石塘").context["page"]] == [world["workshop"].name]
    assert [e.name for e in client.get(f"/r/?q={world['other'].uscc}").context["page"]] == [world["other"].name]
    outside = client_for(world["users"]["inspector_out"]).get("/r/")
    assert [e.name for e in outside.context["page"]] == [world["shop"].name]
    fragment = client.get("/r/?q=石塘", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.strip().startswith('<div id="results">')
    assert "<html" not in fragment


def test_enterprise_list_paginates_with_a_fixed_number_of_queries(world, django_assert_num_queries):
    client = client_for(world["users"]["inspector_in"])
    client.get("/r/")
    # session, user, roles, count, page
    with django_assert_num_queries(5):
        client.get("/r/")
    for i in range(30):
        f.make_enterprise(jurisdiction="331081104", name=f"作坊{i:02d}")
    with django_assert_num_queries(5):
        first = client.get("/r/")
    assert len(first.context["page"].object_list) == 25
    second = client.get("/r/?page=2")
    assert len(second.context["page"].object_list) == 7
    assert 'href="?page=2"' in first.content.decode()


def test_enterprise_page_lists_lots_and_recent_events(world, django_assert_num_queries):
    client = client_for(world["users"]["inspector_in"])
    url = f"/r/enterprises/{world['workshop'].pk}/"
    response = client.get(url)
    assert {lot.code for lot in response.context["page"]} == {"R1", world["made"].code}
    assert [e.event_type for e in response.context["events"]] == ["ship", "transform", "receive"]
    assert world["workshop"].uscc in response.content.decode()
    # session, user, roles, enterprise, lot count, lots, staff, events
    with django_assert_num_queries(8):
        client.get(url)
    for i in range(10):
        f.receive(world["workshop"], product_name="面粉", lot_code=f"F{i}")
        add_staff_member(world["workshop"], name=f"员工{i}", acting_user=None)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["staff"]) == 10


def test_find_lot_by_number_urn_and_digital_link(world):
    client = client_for(world["users"]["inspector_in"])
    made = world["made"]
    target = f"/r/lots/{made.pk}/"
    assert client.get(f"/r/lots/?ref={made.pk}")["Location"] == target
    urn = lgtin_urn(world["product"].gtin, made.code)
    assert client.get("/r/lots/", {"ref": urn})["Location"] == target
    link = f"https://id.example.cn/01/{world['product'].gtin}/10/{made.code}"
    assert client.get("/r/lots/", {"ref": link})["Location"] == target
    bad = client.get("/r/lots/", {"ref": "not a lot"})
    assert bad.status_code == 200
    assert list(bad.context["form"].errors) == ["ref"]
    outside = client.get("/r/lots/", {"ref": str(world["elsewhere"].pk + 1000)})
    assert outside.status_code == 404
    assert list(outside.context["form"].errors) == ["ref"]


def test_find_lot_by_the_printed_lot_number_or_a_product_name(world):
    client = client_for(world["users"]["inspector_in"])
    made = world["made"]
    assert client.get("/r/lots/", {"ref": made.code})["Location"] == f"/r/lots/{made.pk}/"  # one match opens it
    assert client.get("/r/lots/", {"ref": "r1"})["Location"] == f"/r/lots/{world['raw'].pk}/"  # any case
    second = f.produce(world["workshop"], [(world["raw"], "1")], world["product"], "2")
    listed = client.get("/r/lots/", {"ref": "年糕"})
    assert listed.status_code == 200
    assert [lot.pk for lot in listed.context["matches"]] == [second.pk, made.pk]
    assert f'href="/r/lots/{made.pk}/"' in listed.content.decode()
    # only the jurisdiction's lots: the Zeguo sugar is the Wenling inspector's, not Xihu's
    outside = client_for(world["users"]["inspector_out"]).get("/r/lots/", {"ref": "白糖"})
    assert outside.context["matches"] is None or outside.context["matches"] == []
    assert list(outside.context["form"].errors) == ["ref"]


def test_the_enterprise_page_marks_expired_stock_and_names_units(world):
    today = timezone.localdate()
    f.receive(world["workshop"], quantity="6", unit="bag", product_name="旧米粉", lot_code="OLD",
              expires_on=today - dt.timedelta(days=2), occurred_at=f.now() - dt.timedelta(days=20))  # fmt: skip
    html = client_for(world["users"]["inspector_in"]).get(f"/r/enterprises/{world['workshop'].pk}/").content.decode()
    row = next(line for line in html.splitlines() if "旧米粉" in line)
    assert '<span class="badge expired">已过期</span>' in row
    assert "6 袋" in row
    assert " bag" not in row


def test_a_missing_page_is_in_chinese_with_the_menu(world):
    client = client_for(world["users"]["inspector_out"])
    page = client.get(f"/r/lots/{world['made'].pk}/")  # outside Xihu's jurisdiction
    assert page.status_code == 404
    html = page.content.decode()
    assert "找不到该页面" in html
    assert 'class="menu"' in html  # the inspector's menu stays


def test_an_inspector_page_does_not_show_a_workshop_as_the_one_recording(world):
    client = client_for(world["users"]["inspector_in"])
    html = client.get(f"/r/enterprises/{world['workshop'].pk}/").content.decode()
    assert 'class="current"' not in html
    operator = client_for(world["users"]["operator"]).get("/w/").content.decode()
    assert f'<span class="current" title="当前主体">{world["workshop"].name}</span>' in operator


def test_forward_trace_counts_tree_holders_and_customers(world):
    at_shop = _book_in_at_shop(world)
    f.ship(world["workshop"], world["made"], "5")  # retail
    response = client_for(world["users"]["inspector_in"]).get(f"/r/trace/?lot={world['raw'].pk}&direction=forward")
    assert response.status_code == 200
    ctx = response.context
    assert ctx["counts"] == {"lots": 3, "enterprises": 2, "holders": 2, "shipments": 2, "suppliers": 0}
    assert [(row["lot"].id, row["depth"], row["crossed"]) for row in ctx["rows"]] == [
        (world["raw"].pk, 0, True),
        (world["made"].pk, 1, False),
        (at_shop.pk, 2, True),
    ]
    holders = {(row["card"].name, row["quantity"], row["unit"]) for row in ctx["holders"]}
    assert holders == {
        (world["workshop"].name, Decimal("105.000"), "kg"),  # 60 rice + 45 rice cakes
        (world["shop"].name, Decimal("30.000"), "kg"),
    }
    html = response.content.decode()
    assert world["shop"].name in html
    # the shop is in Hangzhou: named with its jurisdiction, its lot not linked, its credit code absent
    shop_row = ctx["rows"][2]
    assert (shop_row["enterprise"].in_scope, shop_row["enterprise"].uscc) == (False, None)
    assert world["shop"].uscc not in html
    assert f'href="/r/lots/{at_shop.pk}/"' not in html
    assert f'href="/r/lots/{world["made"].pk}/"' in html
    customers = sorted((row["retail"], row["to_card"].name if row["to_card"] else None) for row in ctx["shipments"])
    assert customers == [(False, world["shop"].name), (True, None)]


def test_backward_trace_reaches_the_supplier(world):
    response = client_for(world["users"]["inspector_in"]).get(f"/r/trace/?lot={world['made'].pk}&direction=backward")
    ctx = response.context
    assert ctx["counts"]["suppliers"] == 1
    assert [row["partner"] for row in ctx["suppliers"]] == ["温岭粮油批发"]
    assert "温岭粮油批发" in response.content.decode()
    assert [row["lot"].id for row in ctx["rows"]] == [world["made"].pk, world["raw"].pk]


def test_trace_direction_switch_answers_htmx_with_the_report_fragment(world):
    client = client_for(world["users"]["inspector_in"])
    body = client.get(f"/r/trace/?lot={world['made'].pk}&direction=backward", HTTP_HX_REQUEST="true").content.decode()
    assert body.strip().startswith('<div id="report">')
    assert "<html" not in body


def test_trace_reports_a_bad_reference_on_the_field(world):
    response = client_for(world["users"]["inspector_in"]).get("/r/trace/?lot=urn:epc:class:lgtin:123.4.X")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["lot"]
    assert "rows" not in response.context


def test_inspector_from_outside_sees_the_crossing_only_from_their_side(world):
    """The Hangzhou inspector traces the shop's lot backward: the Wenling workshop by name only."""
    at_shop = _book_in_at_shop(world)
    response = client_for(world["users"]["inspector_out"]).get(f"/r/trace/?lot={at_shop.pk}&direction=backward")
    assert response.status_code == 200
    cards = {row["card"].name: row["card"] for row in response.context["enterprises"]}
    workshop = cards[world["workshop"].name]
    assert (workshop.in_scope, workshop.uscc, workshop.address, workshop.jurisdiction_name) == (False, None, None, "石塘镇")
    html = response.content.decode()
    assert world["workshop"].uscc not in html
    assert f'href="/r/enterprises/{world["workshop"].pk}/"' not in html


def test_recall_marks_lots_and_lists_who_must_act(world):
    at_shop = _book_in_at_shop(world)
    client = client_for(world["users"]["inspector_in"])
    form = client.get(f"/r/recalls/new/?lot={world['raw'].pk}")
    assert form.context["impact"].lot_count == 3
    response = client.post("/r/recalls/new/", {"lot": world["raw"].pk, "reason": "抽检不合格 No. 2024-17"})
    recall = Recall.objects.get()
    assert response["Location"] == f"/r/recalls/{recall.pk}/"
    statuses = set(Lot.objects.filter(pk__in=[world["raw"].pk, world["made"].pk, at_shop.pk]).values_list("status", flat=True))
    assert statuses == {"recalled"}
    page = client.get(response["Location"])
    rows = page.context["rows"]
    assert sorted((r["type"], r["enterprise"], r["quantity"]) for r in rows) == sorted(
        [
            ("holder", world["workshop"].name, "110.000"),  # 60 kg rice + 50 kg rice cakes
            ("holder", world["shop"].name, "30.000"),
            ("shipment", f"{world['workshop'].name} → {world['shop'].name}", "30.000"),
        ]
    )
    html = page.content.decode()
    assert f'href="/r/recalls/{recall.pk}/notice.csv"' in html
    assert recall.reference in client.get("/r/recalls/").content.decode()
    # the form of a lot the recall reached says so at once, and offers no second recall
    again = client.get(f"/r/recalls/new/?lot={world['made'].pk}").content.decode()
    assert 'id="already-recalled"' in again
    assert f'href="/r/recalls/{recall.pk}/"' in again
    assert 'name="reason"' not in again


def test_recall_notice_downloads_as_csv_and_xlsx(world):
    recall = start_recall(world["raw"], reason="抽检不合格", acting_user=world["users"]["inspector_in"])
    client = client_for(world["users"]["inspector_in"])
    response = client.get(f"/r/recalls/{recall.pk}/notice.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{recall.reference}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["type"], r["enterprise"], r["quantity"]) for r in rows] == [
        ("holder", world["workshop"].name, "110.000"),
        ("shipment", f"{world['workshop'].name} → {world['shop'].name}", "30.000"),
    ]
    xlsx = client.get(f"/r/recalls/{recall.pk}/notice.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == ["type", "enterprise", "jurisdiction"]
    assert sheet.max_row == 3
    assert client.get(f"/r/recalls/{recall.pk}/notice.pdf").status_code == 404


def test_recall_refusals_show_on_the_form_and_write_nothing(world):
    client = client_for(world["users"]["inspector_in"])
    before = counts()
    empty = client.post("/r/recalls/new/", {"lot": world["raw"].pk, "reason": ""})
    assert list(empty.context["form"].errors) == ["reason"]
    assert counts() == before
    start_recall(world["raw"], reason="抽检不合格", acting_user=world["users"]["inspector_in"])
    before = counts()
    again = client.post("/r/recalls/new/", {"lot": world["raw"].pk, "reason": "again"})
    assert again.status_code == 200
    assert "已召回" in again.context["form"].non_field_errors()[0]
    assert counts() == before


def test_recall_list_query_count_does_not_grow(world, django_assert_num_queries):
    client = client_for(world["users"]["inspector_in"])
    start_recall(world["raw"], reason="一", acting_user=world["users"]["inspector_in"])
    client.get("/r/recalls/")
    # session, user, roles, count, page
    with django_assert_num_queries(5):
        client.get("/r/recalls/")
    for i in range(5):
        lot = f.receive(world["workshop"], product_name="面粉", lot_code=f"F{i}")
        start_recall(lot, reason=f"第{i}批", acting_user=world["users"]["inspector_in"])
    with django_assert_num_queries(5):
        response = client.get("/r/recalls/")
    assert len(response.context["page"].object_list) == 6


def test_inspector_lot_page_offers_trace_and_recall(world):
    response = client_for(world["users"]["inspector_in"]).get(f"/r/lots/{world['made'].pk}/")
    html = response.content.decode()
    assert f"/r/trace/?lot={world['made'].pk}&amp;direction=backward" in html
    assert 'action="/r/recalls/new/"' in html
    assert "/void/" not in html


def test_enterprise_page_shows_staff_health_certificates(world):
    today = timezone.localdate()
    add_staff_member(world["workshop"], name="陈一", post="面点师", health_certificate_no="JK-1",
                     health_certificate_expires=today - dt.timedelta(days=1), acting_user=None)
    add_staff_member(world["workshop"], name="王二", health_certificate_expires=today + dt.timedelta(days=10),
                     acting_user=None)
    add_staff_member(world["workshop"], name="李四", health_certificate_expires=today + dt.timedelta(days=90),
                     acting_user=None)
    add_staff_member(world["other"], name="别家员工", acting_user=None)
    response = client_for(world["users"]["inspector_in"]).get(f"/r/enterprises/{world['workshop'].pk}/")
    assert [(m.name, m.certificate_status) for m in response.context["staff"]] == [
        ("李四", "valid"), ("王二", "expiring"), ("陈一", "expired"),
    ]
    html = response.content.decode()
    assert html.count('<span class="badge expired">已过期</span>') == 1
    assert html.count('<span class="badge expiring">即将到期</span>') == 1
    assert "JK-1" in html
    assert "别家员工" not in html
    # the htmx page of lots leaves the staff table out
    fragment = client_for(world["users"]["inspector_in"]).get(
        f"/r/enterprises/{world['workshop'].pk}/?page=1", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.strip().startswith('<div id="lots">')
    assert "陈一" not in fragment


def test_trace_tables_show_quantities_without_trailing_zeros(world):
    response = client_for(world["users"]["inspector_in"]).get(f"/r/trace/?lot={world['made'].pk}&direction=forward")
    html = response.content.decode()
    assert '<td class="num">50 kg</td>' in html  # the workshop still holds 50.000
    assert '<td class="num">30 kg</td>' in html  # shipped 30.000, all of it in transit
