import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from shilian.chain.actions import start_recall
from shilian.codes.actions import ensure_lot_code, issue_serials
from shilian.codes.digital_link import CodeKey, DigitalLinkError, parse_uri
from shilian.codes.models import SerialRange, ShortCode
from shilian.codes.queries import item_uris, lot_for_key, product_for_key, uri_for_lot
from shilian.codes.tests.factories import produce_lot
from shilian.core.errors import DomainError
from shilian.core.models import HistoryEntry
from shilian.core.testing.factories import make_admin, make_enterprise, make_partner, receive, ship

pytestmark = pytest.mark.django_db
GTIN = "06901234567892"


def test_gtin_lot_resolves_to_the_producers_lot(settings):
    settings.SHILIAN_PUBLIC_URL = "https://trace.example.cn"
    lot = produce_lot(gtin=GTIN, lot_code="LOT2024A", produced_on=dt.date(2024, 10, 8))
    uri = uri_for_lot(lot)
    assert uri == "https://trace.example.cn/01/06901234567892/10/LOT2024A?11=241008&17=250406"
    assert lot_for_key(parse_uri(uri)) == lot
    assert lot_for_key(parse_uri("/01/6901234567892/10/LOT2024A")) == lot
    assert product_for_key(parse_uri("/01/6901234567892")) == lot.product
    assert ensure_lot_code(lot, acting_user=None) == uri
    assert not ShortCode.objects.exists()


def test_a_downstream_copy_of_the_lot_does_not_capture_its_code():
    maker = make_enterprise()
    lot = produce_lot(maker, gtin=GTIN, lot_code="LOT2024A")
    shop = make_enterprise()
    made = timezone.make_aware(dt.datetime.combine(lot.produced_on, dt.time(12)))  # shipped the day it was made
    ship(maker, lot, "10", customer=make_partner(maker, linked=shop), occurred_at=made)
    receive(shop, product_name=lot.product_name, lot_code="LOT2024A")
    assert lot_for_key(CodeKey(gtin=GTIN, lot="LOT2024A")) == lot


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (CodeKey(gtin=GTIN, lot="NOPE"), "unknown lot"),
        (CodeKey(gtin="00000000000017", lot="LOT2024A"), "unknown lot"),
        (CodeKey(gtin=GTIN), "names no lot"),
        (CodeKey(short="ABCDEFGHJKZ"), "unknown trace code"),
        (CodeKey(gtin=GTIN, lot="LOT2024A", serial="1"), "serial 1 was not issued"),
    ],
)
def test_unknown_codes_are_404(key, words):
    produce_lot(gtin=GTIN, lot_code="LOT2024A")
    with pytest.raises(DigitalLinkError, match=words) as err:
        lot_for_key(key)
    assert err.value.status == 404


def test_short_code_issued_once_per_lot(settings):
    settings.SHILIAN_PUBLIC_URL = "https://h"
    lot = produce_lot()
    admin = make_admin()
    assert uri_for_lot(lot) is None
    uri = ensure_lot_code(lot, acting_user=admin)
    code = ShortCode.objects.get(lot=lot).code
    assert uri == f"https://h/t/{code}"
    assert ensure_lot_code(lot, acting_user=admin) == uri
    assert uri_for_lot(lot) == uri
    assert ShortCode.objects.count() == 1
    assert lot_for_key(parse_uri(uri)) == lot
    entry = HistoryEntry.objects.get(action="codes.issue_short_code")
    assert (entry.acting_user, entry.detail) == (admin, {"lot": lot.pk, "code": code})


def test_serials_are_issued_in_ranges_and_resolve():
    lot = produce_lot(gtin=GTIN, lot_code="L7")
    first = issue_serials(lot, 3, acting_user=None)
    second = issue_serials(lot, 2, acting_user=None)
    assert [(r.first, r.last) for r in SerialRange.objects.order_by("first")] == [(1, 3), (4, 5)]
    assert (second.first, second.last, first.count) == (4, 5, 3)
    uris = list(item_uris(CodeKey(gtin=GTIN, lot="L7", expires_on=dt.date(2025, 1, 2)), 4, 5, base="https://h"))
    assert uris == [
        "https://h/01/06901234567892/10/L7/21/4?17=250102",
        "https://h/01/06901234567892/10/L7/21/5?17=250102",
    ]
    for serial in ("1", "5"):
        assert lot_for_key(CodeKey(gtin=GTIN, lot="L7", serial=serial)) == lot
    for serial in ("6", "0", "05"):
        with pytest.raises(DigitalLinkError):
            lot_for_key(CodeKey(gtin=GTIN, lot="L7", serial=serial))
    assert HistoryEntry.objects.filter(action="codes.issue_serials").count() == 2


def test_serials_of_a_lot_without_gtin_issue_its_short_code():
    lot = produce_lot()
    issue_serials(lot, 2, acting_user=None)
    code = ShortCode.objects.get(lot=lot).code
    assert lot_for_key(parse_uri(f"/t/{code}/21/2")) == lot


@pytest.mark.parametrize("count", [0, -1, 1_000_001, "3", True])
def test_bad_serial_counts_write_nothing(count):
    lot = produce_lot()
    with pytest.raises(DomainError) as err:
        issue_serials(lot, count, acting_user=None)
    assert err.value.field == "count"
    assert not SerialRange.objects.exists()
    assert not ShortCode.objects.exists()


def test_no_serials_for_a_recalled_lot():
    lot = produce_lot(gtin=GTIN)
    start_recall(lot, reason="抽检不合格", acting_user=make_admin())
    with pytest.raises(DomainError, match="recalled"):
        issue_serials(lot, 5, acting_user=None)
    assert not SerialRange.objects.exists()


def test_a_lot_code_with_a_slash_gets_a_short_code_even_with_a_gtin(settings):
    """AI (10) allows "/", but a Digital Link carries it as %2F, which WSGI servers decode
    before the resolver sees the path: such a lot is coded /t/… so that its code resolves."""
    settings.SHILIAN_PUBLIC_URL = "https://trace.example.cn"
    lot = produce_lot(gtin="06901234567892", lot_code="A/7")
    assert uri_for_lot(lot) is None  # no code yet: a short code is issued on first print
    uri = ensure_lot_code(lot, acting_user=None)
    assert uri.startswith("https://trace.example.cn/t/")
    assert lot_for_key(parse_uri(uri)) == lot
    page = Client().get(urlsplit(uri).path)
    assert page.status_code == 200
    assert "A/7" in page.content.decode()
