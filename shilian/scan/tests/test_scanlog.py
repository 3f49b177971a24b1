"""The scan log: one row per resolution, coarse client facts, batched writes, counterfeit flags."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.codes.actions import issue_serials
from shilian.codes.digital_link import CodeKey
from shilian.scan import counterfeit, scanlog
from shilian.scan.actions import record_scans
from shilian.scan.choices import FlagReason, ScanKind, ScanSource
from shilian.scan.client import ClientInfo, client_key, describe, network_of, platform, primary_language, ua_family
from shilian.scan.models import CounterfeitFlag, Scan
from shilian.scan.resolver import Target
from shilian.scan.scanrows import scan_row
from shilian.scan.tests.factories import GTIN, make_world

pytestmark = pytest.mark.django_db

IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
)
ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"


@pytest.fixture
def world():
    return make_world()


def test_every_resolution_is_one_row_with_coarse_client_facts(world):
    client = Client(HTTP_USER_AGENT=IPHONE_WECHAT, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8", REMOTE_ADDR="203.0.113.77")
    client.get(f"{world.path}?17=241107")
    client.get(world.short_path)
    client.get(f"{world.path}?lang=en")  # switching language on the page: not a scan
    client.get(world.path, HTTP_ACCEPT="application/linkset+json")
    client.get("/01/06901234567892/10/NOSUCH")  # unknown: logged, no lot
    client.get("/01/06901234567893/10/X")  # malformed: not a scan of anything
    scanlog.flush()
    rows = list(Scan.objects.order_by("pk").values_list(
        "kind", "lot_id", "product_id", "enterprise_id", "jurisdiction_code", "gtin", "lot_code", "serial", "short_code",
        "ua_family", "platform", "language", "client", "source",
    ))
    wenling = ("331081102",)
    client_hash = client_key("203.0.113.0", IPHONE_WECHAT)
    facts = ("WeChat", "iOS", "zh", client_hash, ScanSource.APP)
    short = world.short_path.rsplit("/", 1)[1]
    assert rows == [
        (ScanKind.PAGE, world.cake.pk, world.product.pk, world.workshop.pk, *wenling, GTIN, "NG20241008", "", "", *facts),
        (ScanKind.PAGE, world.noodles.pk, world.noodles.product_id, world.workshop.pk, *wenling, "", "", "", short, *facts),
        (ScanKind.LINKSET, world.cake.pk, world.product.pk, world.workshop.pk, *wenling, GTIN, "NG20241008", "", "", *facts),
        (ScanKind.PAGE, None, None, None, "", GTIN, "NOSUCH", "", "", *facts),
    ]
    assert "203.0.113.77" not in str(rows)


def test_client_facts_are_coarse():
    assert (ua_family(IPHONE_WECHAT), platform(IPHONE_WECHAT)) == ("WeChat", "iOS")
    assert (ua_family(ANDROID_CHROME), platform(ANDROID_CHROME)) == ("Chrome", "Android")
    assert ua_family("Mozilla/5.0 (compatible; Baiduspider/2.0)") == "Bot"
    assert (ua_family(""), platform("")) == ("", "")
    assert primary_language("en-GB,en;q=0.9") == "en"
    assert primary_language("*") == ""
    assert network_of("203.0.113.77") == network_of("203.0.113.0") == "203.0.113.0"
    assert network_of("2001:db8:85a3:8d3:1319:8a2e:370:7348") == network_of("2001:db8:85a3") == "2001:db8:85a3::"
    assert network_of("2001:db8::1") == network_of("2001:db8:") == "2001:db8::"
    assert network_of("not an address") == ""
    assert len(client_key("203.0.113.0", "x")) == 16
    assert client_key("203.0.113.0", "x") != client_key("203.0.114.0", "x")


def test_behind_the_local_proxy_the_forwarded_address_counts(world):
    Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.9").get(world.path)
    Client(REMOTE_ADDR="192.0.2.1", HTTP_X_REAL_IP="198.51.100.9").get(world.path)  # not our proxy: ignored
    scanlog.flush()
    assert list(Scan.objects.order_by("pk").values_list("client", flat=True)) == [
        client_key("198.51.100.0", ""),
        client_key("192.0.2.0", ""),
    ]


def test_scans_are_written_in_batches(world, monkeypatch):
    monkeypatch.setattr(scanlog, "_last_write", 10**9)  # as if just written
    monkeypatch.setattr(scanlog, "MAX_DELAY", 3600.0)
    client = Client()
    for _ in range(scanlog.BATCH_SIZE - 1):
        client.get(world.path)
    assert (Scan.objects.count(), scanlog.pending()) == (0, scanlog.BATCH_SIZE - 1)
    with CaptureQueriesContext(connection) as queries:
        client.get(world.path)
    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert inserts == [f'{scanlog.BATCH_SIZE} times: {inserts[0].split(": ", 1)[1]}']  # one executemany
    assert (Scan.objects.count(), scanlog.pending()) == (scanlog.BATCH_SIZE, 0)


def test_at_low_traffic_a_scan_is_written_at_once(world, monkeypatch):
    monkeypatch.setattr(scanlog, "_last_write", 0.0)
    Client().get(world.path)
    assert (Scan.objects.count(), scanlog.pending()) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_the_background_writer_writes_and_gives_its_session_back_when_idle(monkeypatch):
    """In the server a thread writes the scans; once a whole period passes with none, it closes
    its connection (PostgreSQL: no session of it stays open)."""
    world = make_world()
    monkeypatch.setattr(scanlog, "MAX_DELAY", 0.1)
    monkeypatch.setattr(scanlog, "_background", True)
    monkeypatch.setattr(scanlog, "_writer_pid", 0)  # a writer of this test's own
    Client().get(world.path)
    deadline = time.monotonic() + 10
    while Scan.objects.count() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Scan.objects.filter(lot=world.cake).count() == 1
    if connection.vendor == "postgresql":
        others = None
        while others != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                others = cursor.fetchone()[0]
        assert others == 0


def _item_scans(target, serial, clients, start, step):
    key = CodeKey(gtin=GTIN, lot="NG20241008", serial=serial)
    return [
        scan_row(key, ClientInfo("Chrome", "Android", "zh", client), kind=ScanKind.PAGE, target=target,
                 scanned_at=start + i * step)
        for i, client in enumerate(clients)
    ]


@pytest.fixture
def item(world):
    issue_serials(world.cake, 100, acting_user=world.user)
    return Target(world.cake.pk, world.product.pk, world.workshop.pk, "331081102")


class TestCounterfeit:
    start = timezone.make_aware(dt.datetime(2024, 11, 1, 9, 0))

    def test_one_pack_scanned_a_plausible_number_of_times_is_not_flagged(self, item):
        rows = _item_scans(item, "7", ["aaaa"] * (counterfeit.ITEM_SCAN_LIMIT - 1), self.start, dt.timedelta(hours=20))
        assert record_scans(rows) == []
        assert CounterfeitFlag.objects.count() == 0

    def test_scanned_far_more_often_than_one_pack_is_flagged_once(self, item):
        rows = _item_scans(item, "7", ["aaaa"] * counterfeit.ITEM_SCAN_LIMIT, self.start, dt.timedelta(hours=20))
        flags = record_scans(rows)
        assert [(f.serial, f.reason, f.scans, f.clients) for f in flags] == [("7", FlagReason.TOO_MANY_SCANS, 30, 1)]
        flag = CounterfeitFlag.objects.get()
        assert (flag.lot_id, flag.enterprise_id, flag.jurisdiction_code) == (item.lot_id, item.enterprise_id, "331081102")
        assert flag.raised_at == rows[-1].scanned_at
        assert flag.window_start == rows[-1].scanned_at - counterfeit.ITEM_SCAN_WINDOW
        more = _item_scans(item, "7", ["aaaa"], rows[-1].scanned_at + dt.timedelta(minutes=1), dt.timedelta(0))
        assert record_scans(more) == []
        assert CounterfeitFlag.objects.count() == 1

    def test_scans_older_than_the_window_do_not_count(self, item):
        old = _item_scans(item, "7", ["aaaa"] * 20, self.start, dt.timedelta(hours=1))
        recent = _item_scans(item, "7", ["aaaa"] * 10, self.start + dt.timedelta(days=31), dt.timedelta(hours=1))
        assert record_scans(old) == []
        assert record_scans(recent) == []

    def test_many_clients_within_an_hour_are_flagged(self, item):
        clients = [f"c{n}" for n in range(counterfeit.ITEM_CLIENT_LIMIT)]
        rows = _item_scans(item, "9", clients, self.start, dt.timedelta(minutes=10))
        flags = record_scans(rows)
        assert [(f.serial, f.reason, f.scans, f.clients) for f in flags] == [("9", FlagReason.TOO_MANY_CLIENTS, 5, 5)]

    def test_the_same_clients_spread_over_hours_are_not(self, item):
        clients = [f"c{n}" for n in range(counterfeit.ITEM_CLIENT_LIMIT)]
        rows = _item_scans(item, "9", clients, self.start, dt.timedelta(minutes=20))  # 80 minutes
        assert record_scans(rows) == []

    def test_one_fewer_client_is_not(self, item):
        clients = [f"c{n}" for n in range(counterfeit.ITEM_CLIENT_LIMIT - 1)] + ["c0"]
        assert record_scans(_item_scans(item, "9", clients, self.start, dt.timedelta(minutes=1))) == []

    def test_items_are_told_apart(self, item):
        rows = []
        for serial in ("1", "2", "3"):
            rows += _item_scans(item, serial, ["a", "b", "c"], self.start, dt.timedelta(minutes=1))
        assert record_scans(rows) == []

    def test_through_the_resolver(self, world, item):
        for n in range(counterfeit.ITEM_CLIENT_LIMIT):
            Client(REMOTE_ADDR=f"198.51.{n}.20").get(f"{world.path}/21/42")
        scanlog.flush()
        flag = CounterfeitFlag.objects.get()
        assert (flag.serial, flag.reason, flag.clients) == ("42", FlagReason.TOO_MANY_CLIENTS, 5)


def test_ingested_and_app_scans_hash_a_client_alike():
    app = describe(network=network_of("198.51.100.23"), user_agent=ANDROID_CHROME, accept_language="zh-CN")
    nginx = describe(network=network_of("198.51.100.0"), user_agent=ANDROID_CHROME, accept_language="zh-CN")
    assert app == nginx
