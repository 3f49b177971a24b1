import pytest

from shilian.core.errors import DomainError, NotFoundError
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.access import access_enterprise, scope_for
from shilian.registry.actions import add_partner, create_jurisdiction, register_enterprise
from shilian.registry.models import Enterprise, Jurisdiction

pytestmark = pytest.mark.django_db


def test_a_grant_covers_the_subtree():
    shitang = f.make_enterprise(jurisdiction="331081102")
    zeguo = f.make_enterprise(jurisdiction="331081104")
    hangzhou = f.make_enterprise(jurisdiction="330106001")
    visible = {
        code: set(Enterprise.objects.for_user(f.make_inspector(code)).values_list("pk", flat=True))
        for code in ("330000", "331000", "331081", "331081102", "330106")
    }
    assert visible == {
        "330000": {shitang.pk, zeguo.pk, hangzhou.pk},
        "331000": {shitang.pk, zeguo.pk},
        "331081": {shitang.pk, zeguo.pk},
        "331081102": {shitang.pk},
        "330106": {hangzhou.pk},
    }


def test_operators_see_their_enterprise_only_and_admin_all():
    mine, other = f.make_enterprise(), f.make_enterprise()
    operator = f.make_operator(mine)
    assert list(Enterprise.objects.for_user(operator)) == [mine]
    assert Enterprise.objects.for_user(f.make_admin()).count() == 2
    assert Enterprise.objects.for_user(None).count() == 0
    with pytest.raises(NotFoundError):
        access_enterprise(operator, other.pk)
    with pytest.raises(NotFoundError):
        access_enterprise(operator, 999999)
    assert access_enterprise(operator, mine.pk, "operate") == mine
    inspector = f.make_inspector("331081")
    assert access_enterprise(inspector, mine.pk, "supervise") == mine
    with pytest.raises(NotFoundError):
        access_enterprise(inspector, mine.pk, "operate")
    assert scope_for(inspector).division_prefixes == ("331081",)


def test_register_enterprise_refuses_bad_credit_code_and_writes_nothing():
    f.ensure_jurisdictions()
    before = (Enterprise.objects.count(), HistoryEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        register_enterprise(
            name="坏码作坊", uscc="91350100M000100Y44", kind="workshop",
            jurisdiction=Jurisdiction.objects.get(pk="331081102"), acting_user=None,
        )
    assert (exc.value.field, exc.value.code) == ("uscc", "invalid_uscc")
    assert (Enterprise.objects.count(), HistoryEntry.objects.count()) == before


def test_jurisdiction_needs_its_parent_and_knows_its_level():
    f.ensure_jurisdictions()
    town = create_jurisdiction("331081105", "石塘镇", acting_user=None)
    assert (town.level, town.parent_id, town.prefix) == ("township", "331081", "331081105")
    with pytest.raises(DomainError) as exc:
        create_jurisdiction("339999", "nowhere", acting_user=None)
    assert exc.value.field == "code"


def test_partner_names_are_unique_per_enterprise():
    shop = f.make_enterprise()
    add_partner(shop, name="粮油店", acting_user=None)
    with pytest.raises(DomainError) as exc:
        add_partner(shop, name="粮油店", acting_user=None)
    assert exc.value.code == "duplicate_partner"
