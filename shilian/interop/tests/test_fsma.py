"""The FSMA 204 sortable spreadsheet: rows and key data elements, lot code sources followed
across the platform, filters, scopes, the XLSX and CSV files, the pages and their permissions."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shilian.chain.actions import ShipLine, receive_lot, ship_lots, void_event
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, client_for, counts
from shilian.core.access import Perm
from shilian.core.testing import factories as f
from shilian.interop.fsma import HEADERS, KEYS, FsmaQuery, fsma_rows
from shilian.interop.fsma.query import PLATFORM_RECORD, RECEIVING, RETAIL, SHIPPING, TRANSFORMATION

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name

LOGIN = 302


def rows(user, perm=Perm.VIEW, **query):
    return [dict(zip(KEYS, row, strict=True)) for row in fsma_rows(user, FsmaQuery(**query), perm)]


@pytest.fixture
def sheet(world):
    """The chain world, plus: the Xihu shop books in the shipment, the workshop sells 5 kg at
    retail, and ships 1 kg that it voids (left out of the sheet)."""
    w = world
    w["shop_receipt"] = receive_lot(
        w["shop"], acting_user=None, occurred_at=f.now(), quantity="30", unit="kg", shipment=w["shipment"]
    )
    w["retail"] = f.ship(w["workshop"], w["made"], "5")
    mistake = f.ship(w["workshop"], w["made"], "1", w["to_shop"])
    void_event(mistake, reason="录错了", acting_user=None)
    w["today"] = timezone.localdate()
    return w


def test_one_row_per_event_and_lot_with_every_key_data_element(sheet):
    w = sheet
    got = rows(w["users"]["operator"], Perm.OPERATE, enterprise_id=w["workshop"].pk)
    workshop = f"USCC {w['workshop'].uscc}"
    made = w["made"]
    assert [(r["cte"], r["lot_role"], r["tlc"], r["quantity"]) for r in got] == [
        (RECEIVING, None, "R1", Decimal("100.000")),
        (TRANSFORMATION, "投入 Input", "R1", Decimal("40.000")),
        (TRANSFORMATION, "产出 Output", made.code, Decimal("80.000")),
        (SHIPPING, None, made.code, Decimal("30.000")),
        (RETAIL, None, made.code, Decimal("5.000")),
    ]
    receipt, _, output, shipment, retail = got
    local = timezone.localtime(w["receipt"].occurred_at)
    assert receipt == {
        "event_id": w["receipt"].pk,
        "cte": RECEIVING,
        "lot_role": None,
        "date": local.date(),
        "time": local.strftime("%H:%M"),
        "tlc": "R1",
        "gtin": None,
        "product": "大米",
        "quantity": Decimal("100.000"),
        "unit": "kg",
        "produced_on": None,
        "expires_on": None,
        "tlc_source": "温岭粮油批发",  # an off-platform supplier: the source we know
        "tlc_source_ref": None,
        "location": "石塘年糕作坊",
        "location_id": workshop,
        "ship_from": "温岭粮油批发",
        "ship_from_id": None,
        "ship_to": "石塘年糕作坊",
        "ship_to_id": workshop,
        "reference_type": "合格证明 Certificate",
        "reference_no": "QC-1",
        "division": "331081102",
    }
    assert output["event_id"] == got[1]["event_id"]  # input and output rows of one transformation
    assert (output["gtin"], output["product"], output["tlc_source"], output["tlc_source_ref"]) == (
        "06901234567892",
        "年糕",
        "石塘年糕作坊",
        workshop,
    )
    assert (output["produced_on"], output["expires_on"]) == (made.produced_on, made.expires_on)
    assert (output["reference_type"], output["reference_no"]) == (PLATFORM_RECORD, str(output["event_id"]))
    assert (shipment["ship_from"], shipment["ship_to"], shipment["ship_to_id"]) == (
        "石塘年糕作坊",
        "西湖副食店",
        f"USCC {w['shop'].uscc}",
    )
    assert (retail["ship_to"], retail["ship_to_id"]) == ("零售消费者 Consumers (retail)", None)


def test_an_off_platform_supplier_is_identified_by_its_gln(sheet):
    w = sheet
    supplier = w["receipt"].partner
    supplier.gln = "6901234000016"
    supplier.save(update_fields=["gln"])
    receipt = rows(w["users"]["operator"], Perm.OPERATE, enterprise_id=w["workshop"].pk)[0]
    assert (receipt["ship_from"], receipt["ship_from_id"], receipt["tlc_source_ref"]) == (
        "温岭粮油批发", "GLN 6901234000016", "GLN 6901234000016",
    )


def test_lot_code_source_is_followed_back_across_platform_receipts(sheet):
    """Workshop makes the lot → ships to the shop → the shop ships on to a market: at every
    hop the traceability lot code source stays the workshop, who assigned the code."""
    w = sheet
    market = f.make_enterprise(jurisdiction="331081104", kind="retailer", name="泽国菜场")
    shop_lot = w["shop_receipt"].lines.get().lot
    onward = ship_lots(
        w["shop"],
        lines=[ShipLine(shop_lot, "10", "kg")],
        customer=f.make_partner(w["shop"], linked=market),
        occurred_at=f.now(),
        acting_user=None,
        reference_no="SD-7",
    )
    receive_lot(market, acting_user=None, occurred_at=f.now(), quantity="10", unit="kg", shipment=onward)
    workshop = ("石塘年糕作坊", f"USCC {w['workshop'].uscc}")
    got = rows(f.make_admin(), enterprise_id=w["shop"].pk) + rows(f.make_admin(), enterprise_id=market.pk)
    assert [(r["cte"], r["tlc"], (r["tlc_source"], r["tlc_source_ref"])) for r in got] == [
        (RECEIVING, w["made"].code, workshop),
        (SHIPPING, w["made"].code, workshop),
        (RECEIVING, w["made"].code, workshop),
    ]
    assert (got[1]["reference_type"], got[1]["reference_no"]) == ("送货单 Delivery note", "SD-7")
    assert (got[2]["ship_from"], got[2]["ship_to"]) == ("西湖副食店", "泽国菜场")


def test_dates_and_lot_codes_filter_the_rows(sheet):
    w = sheet
    admin = f.make_admin()
    today = w["today"]
    assert rows(admin, date_to=today - dt.timedelta(days=1)) == []
    assert rows(admin, date_from=today + dt.timedelta(days=1)) == []
    in_range = rows(admin, date_from=today, date_to=today)
    assert len(in_range) == 7  # workshop 5, shop 1, other (白糖) 1
    by_code = rows(admin, lot_codes=("R1", "X1"))
    assert [(r["cte"], r["tlc"], r["division"]) for r in by_code] == [
        (RECEIVING, "R1", "331081102"),
        (TRANSFORMATION, "R1", "331081102"),
        (RECEIVING, "X1", "331081104"),
    ]
    assert [r["tlc"] for r in rows(admin, lot_codes=("R1",), date_from=today + dt.timedelta(days=1))] == []


def test_each_user_sees_their_own_scope(sheet):
    w = sheet
    users = w["users"]
    today = w["today"]

    def enterprises(user, perm, **extra):
        return sorted({r["location"] for r in rows(user, perm, date_from=today, **extra)})

    assert enterprises(users["operator"], Perm.OPERATE) == ["石塘年糕作坊"]
    assert enterprises(users["other_operator"], Perm.OPERATE) == ["泽国糕点作坊"]
    assert enterprises(users["inspector_in"], Perm.SUPERVISE) == ["泽国糕点作坊", "石塘年糕作坊"]
    assert enterprises(users["inspector_out"], Perm.SUPERVISE) == ["西湖副食店"]
    assert enterprises(users["inspector_in"], Perm.SUPERVISE, division_prefix="331081104") == ["泽国糕点作坊"]
    assert enterprises(users["operator"], Perm.SUPERVISE) == []
    assert enterprises(None, Perm.VIEW) == []
    assert len(enterprises(users["admin"], Perm.SUPERVISE)) == 3


def test_xlsx_has_typed_sortable_cells_and_an_explanation_sheet(sheet):
    w = sheet
    response = client_for(w["users"]["operator"]).get(f"/w/fsma/?date_from={w['today']}&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f'attachment; filename="fsma204-{w["workshop"].uscc}-{w["today"]:%Y%m%d}-{w["today"]:%Y%m%d}.xlsx"'
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["FSMA 204", "说明 About"]
    data = book["FSMA 204"]
    assert [c.value for c in data[1]] == list(HEADERS)
    assert data.max_row == 6
    assert data.auto_filter.ref == "A1:W6"
    assert data.freeze_panes == "A2"
    first = [c.value for c in data[2]]
    assert first[KEYS.index("date")] == dt.datetime.combine(w["today"], dt.time.min)
    assert first[KEYS.index("quantity")] == 100
    assert first[KEYS.index("tlc")] == "R1"
    about = {row[0].value: row[1].value for row in book["说明 About"].iter_rows() if row[0].value}
    assert about["行数 Rows"] == 5
    assert about["范围 Scope"] == "石塘年糕作坊"


def test_csv_streams_with_a_bom_and_the_same_rows(sheet):
    w = sheet
    response = client_for(w["users"]["operator"]).get(f"/w/fsma/?date_from={w['today']}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == list(HEADERS)
    assert [row[KEYS.index("tlc")] for row in table[1:]] == ["R1", "R1", w["made"].code, w["made"].code, w["made"].code]
    assert table[1][KEYS.index("date")] == w["today"].isoformat()
    assert table[1][KEYS.index("quantity")] == "100.000"


def test_text_that_looks_like_a_formula_stays_text(world):
    w = world
    evil = '=HYPERLINK("http://x","y")'
    f.receive(w["workshop"], product_name=evil, lot_code="EV1", supplier=w["supplier"])
    client = client_for(w["users"]["operator"])
    xlsx = client.get("/w/fsma/?lot_codes=EV1&format=xlsx")
    cell = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["FSMA 204"].cell(row=2, column=8)
    assert (cell.value, cell.data_type) == (evil, "s")
    body = b"".join(client.get("/w/fsma/?lot_codes=EV1&format=csv").streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][KEYS.index("product")] == "'" + evil


def test_page_counts_previews_and_links_the_downloads(sheet):
    w = sheet
    response = client_for(w["users"]["operator"]).get(f"/w/fsma/?date_from={w['today']}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fsma-preview"' in html
    assert html.count("<tr>") == 6  # header + 5 rows
    assert f'href="?date_from={w["today"]}&amp;format=xlsx"' in html
    assert f'href="?date_from={w["today"]}&amp;format=csv"' in html
    first_visit = client_for(w["users"]["operator"]).get("/w/fsma/")
    assert first_visit.status_code == 200
    assert 'id="fsma-preview"' not in first_visit.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lot_codes=", "Give a date range, lot codes, or both."),
        (
            "lot_codes=%E6%89%B9%E5%8F%B7",
            "批号: 批号含GS1 AI(10)字符集以外的字符 / characters outside the GS1 AI (10) set",
        ),
        ("date_from=2024-05-02&date_to=2024-05-01", "The end date is before the start date."),
        ("date_from=yesterday", "Enter a valid date."),
        (
            "date_from=2024-05-01&format=xlsx&lot_codes=" + "x" * 21,
            f"{'x' * 21}: 批号最多20个字符 / at most 20 characters (GS1 AI 10)",
        ),
    ],
)
def test_bad_requests_answer_400_with_the_reason(world, query, message):
    response = client_for(world["users"]["operator"]).get(f"/w/fsma/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in [text for texts in response.context["form"].errors.values() for text in texts]


def test_inspector_page_narrows_to_a_jurisdiction_or_an_enterprise(sheet):
    w = sheet
    client = client_for(w["users"]["inspector_in"])
    today = w["today"]
    whole = client.get(f"/r/fsma/?date_from={today}&format=csv")
    assert len(list(csv.reader(io.StringIO(b"".join(whole.streaming_content).decode("utf-8-sig"))))) == 7
    town = client.get(f"/r/fsma/?date_from={today}&jurisdiction=331081104&format=csv")
    assert len(list(csv.reader(io.StringIO(b"".join(town.streaming_content).decode("utf-8-sig"))))) == 2
    one = client.get(f"/r/fsma/?date_from={today}&enterprise={w['workshop'].pk}")
    assert one.status_code == 200
    assert one.context["count"] == 5
    outside_choice = client.get(f"/r/fsma/?date_from={today}&jurisdiction=330106")
    assert outside_choice.status_code == 400  # not one of the inspector's jurisdictions


def _more_events(w, n):
    for i in range(n):
        lot = f.receive(w["workshop"], lot_code=f"Q{i}", supplier=f.make_partner(w["workshop"]), quantity="3")
        f.ship(w["workshop"], lot, "1", f.make_partner(w["workshop"]))


def test_query_counts_do_not_grow_with_rows(world, django_assert_num_queries):
    w = world
    client = client_for(w["users"]["operator"])
    today = timezone.localdate()
    client.get(f"/w/fsma/?date_from={today}")  # warm the session
    for format_query, queries in (("", 9), ("&format=xlsx", 8), ("&format=csv", 8)):
        _more_events(w, 3)
        with django_assert_num_queries(queries):
            response = client.get(f"/w/fsma/?date_from={today}{format_query}")
            if format_query:
                b"".join(response.streaming_content)
        _more_events(w, 6)
        with django_assert_num_queries(queries):
            response = client.get(f"/w/fsma/?date_from={today}{format_query}")
            if format_query:
                b"".join(response.streaming_content)


OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)
INSPECTOR_LIST = (LOGIN, 404, 404, 200, 200, 200)
WENLING_ROW = (LOGIN, 404, 404, 200, 404, 200)
PAGES = [
    ("operator-form", lambda w: "/w/fsma/", OWN_WORKSPACE),
    ("operator-preview", lambda w: f"/w/fsma/?date_from={w['today']}", OWN_WORKSPACE),
    ("operator-xlsx", lambda w: f"/w/fsma/?date_from={w['today']}&format=xlsx", OWN_WORKSPACE),
    ("operator-csv", lambda w: f"/w/fsma/?date_from={w['today']}&format=csv", OWN_WORKSPACE),
    ("inspector-form", lambda w: "/r/fsma/", INSPECTOR_LIST),
    ("inspector-preview", lambda w: f"/r/fsma/?date_from={w['today']}", INSPECTOR_LIST),
    ("inspector-xlsx", lambda w: f"/r/fsma/?date_from={w['today']}&format=xlsx", INSPECTOR_LIST),
    ("inspector-enterprise-form", lambda w: f"/r/fsma/?enterprise={w['workshop'].pk}", WENLING_ROW),
    ("inspector-enterprise", lambda w: f"/r/fsma/?date_from={w['today']}&enterprise={w['workshop'].pk}", WENLING_ROW),
    (
        "inspector-enterprise-csv",
        lambda w: f"/r/fsma/?date_from={w['today']}&enterprise={w['workshop'].pk}&format=csv",
        WENLING_ROW,
    ),
]


@pytest.mark.parametrize(("name", "path", "statuses"), PAGES, ids=[row[0] for row in PAGES])
def test_permission_matrix(sheet, name, path, statuses):
    url = path(sheet)
    before = counts()
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(sheet["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
        if expected == LOGIN:
            assert response["Location"].startswith("/accounts/login/?next=")
        if expected == 200 and "format=csv" in url:
            body = b"".join(response.streaming_content).decode("utf-8-sig")
            seen = {row[KEYS.index("location")] for row in list(csv.reader(io.StringIO(body)))[1:]}
            allowed = {
                "operator": {"石塘年糕作坊"},
                "other_operator": {"泽国糕点作坊"},
                "inspector_in": {"石塘年糕作坊", "泽国糕点作坊"},
                "inspector_out": {"西湖副食店"},
                "admin": {"石塘年糕作坊", "泽国糕点作坊", "西湖副食店"},
            }[actor]
            assert seen <= allowed
    assert counts() == before
