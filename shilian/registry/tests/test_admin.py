import pytest

from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.registry.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_admin_pages_load_and_registry_saves_leave_history(client):
    admin = f.make_admin("root")
    shop = f.make_enterprise()
    lot = f.receive(shop, quantity="3")
    client.force_login(admin)
    for url in ["/admin/", "/admin/registry/enterprise/", f"/admin/chain/lot/{lot.pk}/change/",
                "/admin/chain/traceevent/", "/admin/core/historyentry/", "/admin/catalog/product/"]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/registry/jurisdiction/331081102/change/",
        {"code": "331081102", "name": "石塘镇（改）", "name_en": "Shitang", "level": "township", "parent": "331081", "prefix": "331081102"},
    )
    assert response.status_code == 302
    assert Jurisdiction.objects.get(pk="331081102").name == "石塘镇（改）"
    entry = HistoryEntry.objects.get(action="admin.jurisdiction.change")
    assert entry.acting_user == admin
    assert "name" in entry.detail["changed"]
    # the chain is append-only even for admins
    assert client.post(f"/admin/chain/lot/{lot.pk}/delete/", {"post": "yes"}).status_code == 403
