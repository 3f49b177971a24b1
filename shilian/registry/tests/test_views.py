"""Registry pages: partners (the address book the receive and ship forms pick from), the picker."""

import pytest

from shilian.core.testing import factories as f
from shilian.registry.models import Partner

pytestmark = pytest.mark.django_db


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_operator_adds_a_partner_linked_by_credit_code():
    workshop = f.make_enterprise()
    shop = f.make_enterprise(kind="retailer", jurisdiction="330106001")
    client = _client(f.make_operator(workshop))
    response = client.post("/w/partners/", {"name": "西湖副食店", "kind": "customer", "uscc": shop.uscc.lower()})
    assert response["Location"] == "/w/partners/"
    partner = Partner.objects.get(enterprise=workshop)
    assert (partner.name, partner.kind, partner.uscc, partner.linked_enterprise) == ("西湖副食店", "customer", shop.uscc, shop)
    page = client.get("/w/partners/")
    assert [p.name for p in page.context["partners"]] == ["西湖副食店"]


def test_partner_errors_name_the_field_and_write_nothing():
    workshop = f.make_enterprise()
    f.make_partner(workshop, name="老客户")
    client = _client(f.make_operator(workshop))
    bad_code = client.post("/w/partners/", {"name": "新客户", "kind": "customer", "uscc": "123"})
    assert list(bad_code.context["form"].errors) == ["uscc"]
    duplicate = client.post("/w/partners/", {"name": "老客户", "kind": "customer"})
    assert list(duplicate.context["form"].errors) == ["name"]
    bad_gln = client.post("/w/partners/", {"name": "新客户", "kind": "customer", "gln": "6901234000017"})
    assert list(bad_gln.context["form"].errors) == ["gln"]
    assert "校验位" in bad_gln.content.decode()
    assert Partner.objects.count() == 1


def test_operator_adds_a_partner_with_its_gln():
    workshop = f.make_enterprise()
    client = _client(f.make_operator(workshop))
    response = client.post("/w/partners/", {"name": "远方农场", "kind": "supplier", "gln": "6901234000016"})
    assert response["Location"] == "/w/partners/"
    assert Partner.objects.get(enterprise=workshop).gln == "6901234000016"
    assert "GLN 6901234000016" in client.get("/w/partners/").content.decode()


def test_partners_of_another_enterprise_are_not_listed():
    mine, theirs = f.make_enterprise(), f.make_enterprise()
    f.make_partner(theirs, name="别人的供应商")
    page = _client(f.make_operator(mine)).get("/w/partners/")
    assert list(page.context["partners"]) == []
    assert "别人的供应商" not in page.content.decode()
