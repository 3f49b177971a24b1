"""``?format=xlsx`` on the list pages: who may export, what the sheet holds, the link on
each page, and query counts that do not grow with the rows."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shilian.chain.actions import start_recall
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, client_for, counts
from shilian.core.testing import factories as f
from shilian.registry.actions import add_staff_member

world = test_views_support.world  # the fixture, under its own name

LOGIN = 302
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


# -- the list pages ---------------------------------------------------------------------


@pytest.fixture
def lists(world):
    w = world
    add_staff_member(
        w["workshop"], name="王芳", post="面点", health_certificate_no="JK-1",
        health_certificate_expires=timezone.localdate() - dt.timedelta(days=1), acting_user=None,
    )  # fmt: skip
    w["recall"] = start_recall(w["raw"], reason="抽检不合格", acting_user=w["users"]["inspector_in"])
    return w


OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)
INSPECTOR_LIST = (LOGIN, 404, 404, 200, 200, 200)
WENLING_ROW = (LOGIN, 404, 404, 200, 404, 200)
EXPORTS = [
    ("enterprises", lambda w: "/r/?format=xlsx", INSPECTOR_LIST),
    ("recalls", lambda w: "/r/recalls/?format=xlsx", INSPECTOR_LIST),
    ("enterprise-lots", lambda w: f"/r/enterprises/{w['workshop'].pk}/?format=xlsx", WENLING_ROW),
    ("stock", lambda w: "/w/?format=xlsx", OWN_WORKSPACE),
    ("products", lambda w: "/w/products/?format=xlsx", OWN_WORKSPACE),
    ("partners", lambda w: "/w/partners/?format=xlsx", OWN_WORKSPACE),
    ("staff", lambda w: "/w/staff/?format=xlsx", OWN_WORKSPACE),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path", "statuses"), EXPORTS, ids=[row[0] for row in EXPORTS])
def test_export_matrix(lists, name, path, statuses):
    url = path(lists)
    before = counts()
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(lists["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
        if expected == 200:
            assert response["Content-Type"] == XLSX
    assert counts() == before


@pytest.mark.django_db
def test_exports_hold_the_rows_the_page_lists(lists):
    w = lists
    users = w["users"]
    enterprises = sheet_of(client_for(users["inspector_in"]).get("/r/?format=xlsx&q=石塘&page=2"))
    assert enterprises[0][:4] == ["名称", "统一社会信用代码", "许可证或登记证编号", "类型"]
    assert [row[0] for row in enterprises[1:]] == ["石塘年糕作坊"]
    assert enterprises[1][4:6] == ["331081102", "石塘镇"]
    stock = sheet_of(client_for(users["operator"]).get("/w/?format=xlsx"))
    assert [(row[0], row[1], row[2], row[3]) for row in stock[1:]] == [
        ("年糕", w["made"].code, 50, "kg"),
        ("大米", "R1", 60, "kg"),
    ]
    assert stock[2][7] == "已召回"
    assert stock[2][10] == "温岭粮油批发"
    other_stock = sheet_of(client_for(users["other_operator"]).get("/w/?format=xlsx"))
    assert [row[0] for row in other_stock[1:]] == ["白糖"]
    products = sheet_of(client_for(users["operator"]).get("/w/products/?format=xlsx"))
    assert [(row[0], row[2]) for row in products[1:]] == [("年糕", "06901234567892")]
    partners = sheet_of(client_for(users["operator"]).get("/w/partners/?format=xlsx"))
    assert [(row[0], row[3]) for row in partners[1:]] == [("温岭粮油批发", None), ("西湖副食店", "西湖副食店")]
    staff = sheet_of(client_for(users["operator"]).get("/w/staff/?format=xlsx"))
    assert staff[1][:3] == ["王芳", "面点", "JK-1"]
    assert staff[1][4] == "已过期"
    recalls = sheet_of(client_for(users["inspector_in"]).get("/r/recalls/?format=xlsx"))
    assert [(row[0], row[3], row[4]) for row in recalls[1:]] == [(w["recall"].reference, "R1", "石塘年糕作坊")]
    assert sheet_of(client_for(users["inspector_out"]).get("/r/recalls/?format=xlsx"))[1:] == []
    lots = sheet_of(client_for(users["inspector_in"]).get(f"/r/enterprises/{w['workshop'].pk}/?format=xlsx"))
    assert sorted(row[1] for row in lots[1:]) == sorted(["R1", w["made"].code])


@pytest.mark.django_db
def test_list_pages_link_the_export(lists):
    w = lists
    operator, inspector = client_for(w["users"]["operator"]), client_for(w["users"]["inspector_in"])
    for client, url, link in [
        (operator, "/w/?q=年", "?q=%E5%B9%B4&amp;format=xlsx"),
        (operator, "/w/products/", "?format=xlsx"),
        (operator, "/w/partners/", "?format=xlsx"),
        (operator, "/w/staff/", "?format=xlsx"),
        (inspector, "/r/?page=1", "?format=xlsx"),
        (inspector, "/r/recalls/", "?format=xlsx"),
        (inspector, f"/r/enterprises/{w['workshop'].pk}/", "?format=xlsx"),
    ]:
        html = client.get(url).content.decode()
        assert f'<a class="button export" href="{link}" download>' in html, url


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_rows(world, django_assert_num_queries):
    w = world
    operator, inspector = client_for(w["users"]["operator"]), client_for(w["users"]["inspector_in"])
    operator.get("/w/")
    inspector.get("/r/")
    for round_ in range(2):
        for i in range(3 * (round_ + 1)):
            supplier = f.make_partner(w["workshop"])
            f.receive(w["workshop"], lot_code=f"N{round_}-{i}", supplier=supplier)
            f.make_product(w["workshop"])
            f.make_enterprise()
        for client, url, queries in [
            (operator, "/w/?format=xlsx", 5),  # session, user, roles, enterprise, the rows
            (operator, "/w/products/?format=xlsx", 5),
            (operator, "/w/partners/?format=xlsx", 5),
            (operator, "/w/staff/?format=xlsx", 5),
            (inspector, "/r/?format=xlsx", 4),
            (inspector, f"/r/enterprises/{w['workshop'].pk}/?format=xlsx", 5),
        ]:
            with django_assert_num_queries(queries):
                client.get(url)
