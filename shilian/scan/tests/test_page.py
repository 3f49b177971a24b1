"""The consumer page: what it shows, how small and cheap it is, and that it is never stale."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.chain.actions import (
    InputSpec,
    OutputSpec,
    ShipLine,
    dispose_lot,
    receive_lot,
    record_inspection,
    record_transformation,
    ship_lots,
    start_recall,
    void_event,
)
from shilian.codes.actions import ensure_lot_code
from shilian.core.testing import factories as f
from shilian.scan import scanlog
from shilian.scan.pages import cached_page
from shilian.scan.tests.factories import certificate, make_world

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 30 * 1024


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def quiet_log(monkeypatch):
    """Scans wait in the queue (no write in the middle of a counted request)."""
    monkeypatch.setattr(scanlog, "MAX_DELAY", 3600.0)
    monkeypatch.setattr(scanlog, "_last_write", 10**9)


def page(path, **headers):
    response = Client().get(path, **headers)
    assert response.status_code == 200
    return response


def test_the_page_says_who_made_it_from_what_and_when(world):
    html = page(world.path).content.decode()
    assert '<html lang="zh-Hans">' in html
    sources = html[html.index('id="sources"') :]
    assert re.search(r"大米.*DM2024.*温岭粮油批发.*2024-10-01.*合格证明 QC-0917", sources, re.S)
    assert re.search(r"食盐.*YAN1.*盐业公司", sources, re.S)
    assert "合格证.pdf" not in html
    assert "/documents/" not in html
    assert 'id="room"' in html
    assert "<script" not in html  # nothing blocks rendering
    assert "csrfmiddlewaretoken" not in html  # the same bytes for everyone


def test_chinese_first_and_english_on_request(world):
    zh = page(world.path)
    en = page(f"{world.path}?lang=en")
    assert (zh["Content-Language"], en["Content-Language"]) == ("zh-Hans", "en")
    assert '<html lang="en">' in en.content.decode()
    assert "生产日期" in zh.content.decode()
    assert "Production date" in en.content.decode()
    switch = re.search(r'<a href="([^"]+)"[^>]*id="lang-switch"', zh.content.decode())
    assert switch.group(1) == f"{world.path}?lang=en"
    back = re.search(r'<a href="([^"]+)"[^>]*id="lang-switch"', en.content.decode())
    assert back.group(1) == world.path


def test_a_recalled_lot_shows_the_notice_first_with_what_to_do(world):
    start_recall(world.cake, reason="抽检不合格：菌落总数超标", acting_user=f.make_inspector())
    html = page(world.path).content.decode()
    main = html[html.index("<main>") :]
    assert main.index('id="recall"') < main.index('id="product"')
    notice = main[main.index('id="recall"') : main.index('id="product"')]
    for text in ("已召回", "菌落总数超标", "停止食用", "12315"):
        assert text in notice


def test_page_fits_the_budget_with_many_inputs_and_tests(world):
    workshop, user = world.workshop, world.user
    inputs = []
    for n in range(12):
        received = receive_lot(
            workshop,
            acting_user=user,
            occurred_at=timezone.now(),
            quantity="10",
            unit="kg",
            product_name=f"配料{n}号（长长的品名用来撑满页面）",
            lot_code=f"PL{n:02d}-2024-ABCDEFGH",
            supplier=f.make_partner(workshop, name=f"某某食品原料有限公司第{n}分公司"),
            attachments=[certificate(f"QC-{n:04d}-A"), certificate(f"QC-{n:04d}-B")],
        )
        inputs.append(received.lines.get().lot)
    big = record_transformation(
        workshop,
        inputs=[InputSpec(lot, "1", "kg") for lot in inputs],
        outputs=[OutputSpec(world.product, "10", "kg", lot_code="BIG1")],
        occurred_at=timezone.now(),
        acting_user=user,
    ).lines.get(role="output").lot
    for n in range(8):
        record_inspection(
            big, kind="official" if n % 2 else "self", passed=True, occurred_at=timezone.now(),
            acting_user=user, lab="台州市食品药品检验研究院", report_no=f"TZ2024-{n:05d}",
        )
    start_recall(big, reason="标签标示不规范，含有未标示的过敏原成分" * 3, acting_user=f.make_inspector())
    for lang in ("", "?lang=en"):
        body = page(f"/01/{world.product.gtin}/10/BIG1{lang}").content
        assert len(body) < PAGE_BUDGET, len(body)  # HTML with its inlined CSS, before images


def test_cached_page_reads_one_statement_and_renders_from_four(world):
    with CaptureQueriesContext(connection) as miss:
        first = cached_page(world.cake.pk, "zh-hans")
    with CaptureQueriesContext(connection) as hit:
        second = cached_page(world.cake.pk, "zh-hans")
    assert (len(miss), len(hit)) == (4, 1)
    assert first == second


def test_the_resolver_answers_a_cached_scan_with_one_statement(world, quiet_log):
    with CaptureQueriesContext(connection) as first:
        page(world.path)
    with CaptureQueriesContext(connection) as again:
        page(world.path)
    # first: the code's lot, the version, the page's three statements; then only the version
    assert (len(first), len(again)) == (5, 1)
    assert scanlog.pending() == 2


def _etag_and_html(path):
    response = page(path)
    return response["ETag"], response.content.decode()


def _event_kinds(world):
    """Each chain action, done to the cake lot (or to the rice it was made from)."""
    user = world.user
    now = timezone.now

    def receive():  # another delivery into the same (received, short-coded) rice lot
        receive_lot(
            world.workshop, acting_user=user, occurred_at=now(), quantity="5", unit="kg",
            product_name="大米", lot_code="DM2024", supplier=world.rice.supplier,
        )

    good = timezone.make_aware(dt.datetime.combine(world.cake.produced_on, dt.time(15)))  # within its shelf life

    def transform():
        other = f.make_product(world.workshop, name="年糕片")
        record_transformation(
            world.workshop, inputs=[InputSpec(world.cake, "5", "kg")],
            outputs=[OutputSpec(other, "5", "kg")], occurred_at=good, acting_user=user,
        )

    def ship():
        ship_lots(world.workshop, lines=[ShipLine(world.cake, "3", "kg")], occurred_at=good, acting_user=user)

    def dispose():
        dispose_lot(world.cake, quantity="1", unit="kg", reason="破损", occurred_at=now(), acting_user=user)

    def inspect():
        record_inspection(world.cake, kind="official", passed=True, occurred_at=now(), acting_user=user, lab="温岭市检测中心")

    def recall():
        start_recall(world.cake, reason="自查发现异物", acting_user=f.make_inspector())

    def upstream_recall():
        start_recall(world.rice, reason="大米黄曲霉毒素超标", acting_user=f.make_inspector())

    def void():
        event = record_inspection(world.cake, kind="self", passed=False, occurred_at=now(), acting_user=user)
        return event

    return {
        "receive": (receive, None),
        "transform": (transform, None),
        "ship": (ship, None),
        "dispose": (dispose, None),
        "inspect": (inspect, "温岭市检测中心"),
        "recall": (recall, "自查发现异物"),
        "upstream-recall": (upstream_recall, "大米黄曲霉毒素超标"),
        "void": (void, None),
    }


@pytest.mark.parametrize(
    "kind", ["receive", "transform", "ship", "dispose", "inspect", "recall", "upstream-recall", "void"]
)
def test_every_event_kind_changes_the_cached_page(world, kind):
    action, shown = _event_kinds(world)[kind]
    path = world.path
    if kind == "receive":
        path = "/" + ensure_lot_code(world.rice, acting_user=world.user).split("/", 3)[3]
    if kind == "void":
        failed = action()  # a failed self-test shows, then is voided
        etag, html = _etag_and_html(world.path)
        assert "不合格" in html
        void_event(failed, reason="录入错误", acting_user=world.user)
        new_etag, new_html = _etag_and_html(world.path)
        assert new_etag != etag
        assert "不合格" not in new_html
        return
    etag, html = _etag_and_html(path)
    en_etag, _ = _etag_and_html(f"{path}?lang=en")
    action()
    new_etag, new_html = _etag_and_html(path)
    new_en_etag, _ = _etag_and_html(f"{path}?lang=en")
    assert new_etag != etag
    assert new_en_etag != en_etag
    if shown is not None:
        assert shown not in html
        assert shown in new_html


def test_a_later_delivery_of_an_input_does_not_rewrite_where_it_came_from(world):
    etag, _ = _etag_and_html(world.path)
    receive_lot(
        # backdated to before the cakes were made, but recorded after: not what they were made from
        world.workshop, acting_user=world.user, occurred_at=timezone.make_aware(dt.datetime(2024, 10, 2, 9, 0)),
        quantity="5", unit="kg", product_name="大米", lot_code="DM2024", supplier=world.rice.supplier,
        attachments=[certificate("QC-LATER")],
    )
    response = page(world.path)
    assert response["ETag"] == etag
    assert "QC-0917" in response.content.decode()
    assert "QC-LATER" not in response.content.decode()
