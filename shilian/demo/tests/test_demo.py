import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from shilian.catalog.models import Product
from shilian.chain.models import Document, Lot, Recall, TraceEvent
from shilian.chain.projections import rebuild_projections
from shilian.chain.queries.report import build_trace_report
from shilian.chain.queries.trace import Direction
from shilian.core.identifiers import check_gtin, check_uscc
from shilian.core.models import ApiToken, HistoryEntry
from shilian.core.testing import factories as f
from shilian.demo.accounts import PASSWORD, account_list, create_admin
from shilian.demo.enterprises import ENTERPRISES, WORKSHOPS
from shilian.demo.loader import wipe
from shilian.demo.pdf import simple_pdf
from shilian.registry.models import Enterprise, Partner, Role, StaffMember

pytestmark = pytest.mark.django_db

END = dt.date(2024, 5, 31)


def test_demo_reset_replaces_existing_data_with_the_demo():
    """One load (a month) checked from every side: it is the slow test of this module."""
    old = f.make_enterprise(name="旧数据作坊")
    f.receive(old, quantity="5")
    f.make_user("admin")  # wiped with the rest
    out = StringIO()
    call_command("demo", "--reset", "--months", "1", "--end", END.isoformat(), stdout=out)
    text = out.getvalue()

    assert not Enterprise.objects.filter(name="旧数据作坊").exists()
    assert Enterprise.objects.filter(kind="workshop").count() == len(WORKSHOPS) == 36
    assert Enterprise.objects.count() == len(ENTERPRISES)
    assert Enterprise.objects.filter(jurisdiction__code__startswith="331082").count() == 1  # the 临海 shop
    for uscc in [*Enterprise.objects.values_list("uscc", flat=True), *Partner.objects.exclude(uscc="").values_list("uscc", flat=True)]:
        assert check_uscc(uscc) == uscc
    gtins = list(Product.objects.exclude(gtin=None).values_list("gtin", flat=True))
    assert len(gtins) >= 10
    assert all(check_gtin(g) == g and g[1:4] == "693" for g in gtins)
    assert Enterprise.objects.filter(kind="workshop", licence_no__startswith="浙温食坊备").count() == 36

    expiries = list(StaffMember.objects.values_list("health_certificate_expires", flat=True))
    assert sum(1 for d in expiries if d < END) == 1
    assert sum(1 for d in expiries if END <= d < END + dt.timedelta(days=30)) >= 3

    users = get_user_model().objects
    for account in account_list():
        assert users.filter(username=account.username).exists(), account.username
    admin = users.get(username="admin")
    assert Role.objects.filter(user=admin, kind="admin").count() == 1
    assert admin.is_superuser
    assert admin.check_password(PASSWORD)
    assert users.get(username="insp_wl").check_password(PASSWORD)
    inspectors = dict(Role.objects.filter(kind="inspector").values_list("user__username", "jurisdiction_id"))
    assert inspectors == {"insp_zj": "330000", "insp_tz": "331000", "insp_wl": "331081", "insp_st": "331081102"}
    operators = dict(Role.objects.filter(kind="operator").values_list("user__username", "enterprise__name"))
    assert operators == {spec.username: spec.name for spec in ENTERPRISES}

    assert rebuild_projections() == []

    showcase = Lot.objects.filter(product_name="鲜香菇", enterprise__name="温岭市新河香菇基地").order_by("pk").first()
    assert f"shilian trace {showcase.pk}" in text
    counts = build_trace_report(admin, showcase, Direction.FORWARD).counts
    assert counts["lots"] >= 10
    assert counts["enterprises"] >= 3

    recall = Recall.objects.get()
    assert recall.root_lot.product_name == "鱿鱼丝"
    assert recall.root_lot.test_status == "failed"
    assert recall.impact["lots"] >= 2
    assert TraceEvent.objects.filter(event_type="dispose", lines__lot=recall.root_lot).count() == 1
    assert Lot.objects.get(pk=recall.root_lot.pk).quantity_on_hand == 0
    assert TraceEvent.objects.filter(event_type="void").count() == 1
    assert TraceEvent.objects.filter(event_type="inspect", detail__kind="official").count() >= 3
    assert TraceEvent.objects.filter(event_type="receive", shipment__isnull=False).count() >= 100
    assert TraceEvent.objects.filter(event_type="ship", partner__isnull=True).exists()  # retail

    documents = list(Document.objects.all())
    assert 5 <= len(documents) <= 30
    assert all(d.content_type == "application/pdf" for d in documents)
    assert {d.kind for d in documents} == {"certificate", "test_report"}
    assert "password for all: shilian-demo" in text

    # every lot made in the last weeks has a code; the recalled lot's consumer page is printed
    from shilian.codes.digital_link import parse_uri
    from shilian.codes.models import SerialRange, ShortCode
    from shilian.codes.queries import lot_for_key, uri_for_lot

    made = Lot.objects.filter(origin="produced", produced_on__gte=END - dt.timedelta(days=45))
    assert made.count() >= 50
    for lot in made.select_related("product"):
        assert lot_for_key(parse_uri(uri_for_lot(lot))) == lot
    assert ShortCode.objects.count() == made.exclude(product__gtin__isnull=False).count() > 0
    assert SerialRange.objects.get().last == 24
    assert f"consumer page of the recalled lot: {uri_for_lot(recall.root_lot)}" in text
    assert "op_lhgc" in text


def test_demo_does_nothing_when_there_is_data():
    f.make_enterprise()
    before = (Enterprise.objects.count(), TraceEvent.objects.count(), get_user_model().objects.count())
    out = StringIO()
    call_command("demo", stdout=out)
    assert "demo not loaded" in out.getvalue()
    assert (Enterprise.objects.count(), TraceEvent.objects.count(), get_user_model().objects.count()) == before


def test_wipe_empties_chain_catalog_registry_users_and_what_refers_to_them():
    shop = f.make_enterprise()
    operator = f.make_operator(shop)
    ApiToken.objects.create(user=operator, key_hash="x" * 64, prefix="sl_x")
    lot = f.receive(shop, quantity="5", user=operator)
    f.ship(shop, lot, "1", f.make_partner(shop, linked=f.make_enterprise()))
    tables = wipe()
    assert tables.index("chain_eventline") < tables.index("chain_lot") < tables.index("registry_enterprise")
    for model in (Enterprise, Lot, TraceEvent, Product, Partner, Role, HistoryEntry, ApiToken, get_user_model()):
        assert model.objects.count() == 0, model
    from shilian.core.models import LedgerEntry, LedgerHead

    assert LedgerEntry.objects.count() == LedgerHead.objects.count() == 0  # the chain of evidence over them too


def test_demo_reset_early_in_the_morning_loads_up_to_yesterday_and_leaves_a_ledger_that_verifies(monkeypatch):
    """The default run (`make run`) at 06:00: a day's activity runs into the evening, so the demo
    ends with yesterday and nothing in it lies ahead of the clock (the chain would refuse it)."""
    from shilian.ledger.verify import verify

    f.receive(f.make_enterprise(), quantity="5")
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(6, 0)))
    ticks = iter(range(10**9))
    monkeypatch.setattr(timezone, "now", lambda: morning + dt.timedelta(microseconds=next(ticks)))
    call_command("demo", "--reset", "--months", "1", stdout=StringIO())
    latest = TraceEvent.objects.latest("occurred_at").occurred_at
    assert latest <= timezone.now()
    days = {timezone.localtime(t).date() for t in TraceEvent.objects.values_list("occurred_at", flat=True)}
    assert max(days - {morning.date()}) == morning.date() - dt.timedelta(days=1)  # activity up to yesterday
    report = verify()
    assert report.ok, report.problems[:3]
    assert report.entries == TraceEvent.objects.count()


def test_an_existing_admin_account_is_kept_with_its_password():
    existing = f.make_user("admin")
    admin, kept = create_admin()
    assert (admin.pk, kept) == (existing.pk, ["admin"])
    assert admin.check_password("pw-admin")
    assert Role.objects.filter(user=admin, kind="admin").count() == 1
    assert create_admin()[0].pk == existing.pk
    assert Role.objects.filter(user=admin, kind="admin").count() == 1


def test_demo_refuses_bad_options():
    from django.core.management.base import CommandError

    today = timezone.localdate().isoformat()
    for args, message in ((["--months", "0"], "--months"), (["--end", "31/05/2024"], "--end"), (["--end", today], "--end")):
        with pytest.raises(CommandError) as exc:
            call_command("demo", *args, stdout=StringIO())
        assert message in str(exc.value)


def test_simple_pdf_has_a_correct_cross_reference_table():
    data = simple_pdf("Certificate (a)", ["No. 1", "Lot: JS240501"])
    assert data.startswith(b"%PDF-1.4")
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[xref_at:].startswith(b"xref\n0 6\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", data)]
    assert [data[o:].split(b"\n", 1)[0] for o in offsets] == [f"{n} 0 obj".encode() for n in range(1, 6)]
    assert b"(Certificate \\(a\\)) Tj" in data


def test_the_accounts_document_lists_every_demo_account():
    text = (Path(settings.BASE_DIR) / "docs" / "DEMO_ACCOUNTS.md").read_text()
    assert PASSWORD in text
    for account in account_list():
        assert f"`{account.username}`" in text
