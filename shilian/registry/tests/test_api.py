"""The registry API: jurisdictions, enterprises, partners, staff."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.core.testing.api import ACTORS, auth, call
from shilian.registry.actions import add_staff_member, create_jurisdiction
from shilian.registry.models import Enterprise, Jurisdiction, Partner, StaffMember

pytestmark = pytest.mark.django_db




def counts():
    return (Enterprise.objects.count(), Partner.objects.count(), StaffMember.objects.count(), HistoryEntry.objects.count())


@pytest.fixture
def world():
    """A workshop in Shitang (Wenling), another in Xihu (Hangzhou), and one user per actor."""
    shop = f.make_enterprise(jurisdiction="331081102", name="石塘鱼干作坊")
    other = f.make_enterprise(jurisdiction="330106001", name="西湖糕点")
    users = f.make_actors(shop, other)
    for user in users.values():
        auth(user)
    return {"shop": shop, "other": other, "users": users}


def _new_enterprise(world):
    return {"name": "新作坊", "uscc": f.make_uscc(9001), "kind": "workshop", "jurisdiction": "331081104"}


# (name, method, path, body, expected status per actor in ACTORS order)
MATRIX = [
    ("enterprise", "get", "/api/v1/enterprises/{shop}", None, (401, 200, 404, 200, 404, 200)),
    ("register", "post", "/api/v1/enterprises", _new_enterprise, (401, 403, 403, 403, 403, 201)),
    ("partners", "get", "/api/v1/enterprises/{shop}/partners", None, (401, 200, 404, 200, 404, 200)),
    ("add-partner", "post", "/api/v1/enterprises/{shop}/partners", lambda w: {"name": "渔港批发"}, (401, 201, 404, 403, 404, 201)),
    ("staff", "get", "/api/v1/enterprises/{shop}/staff", None, (401, 200, 404, 200, 404, 200)),
    ("add-staff", "post", "/api/v1/enterprises/{shop}/staff", lambda w: {"name": "王阿姨"}, (401, 201, 404, 403, 404, 201)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "actor", "status"),
    [
        pytest.param(method, path, body, actor, statuses[i], id=f"{name}-{actor}")
        for name, method, path, body, statuses in MATRIX
        for i, actor in enumerate(ACTORS)
    ],
)
def test_permission_matrix(world, method, path, body, actor, status):
    before = counts()
    response = call(method, path.format(shop=world["shop"].pk), world["users"][actor], body(world) if body else None)
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert counts() == before
    elif method == "post":
        assert counts() != before


@pytest.mark.parametrize(
    ("actor", "visible"),
    [("anonymous", None), ("operator", {"shop"}), ("other_operator", {"other"}), ("inspector_in", {"shop"}),
     ("inspector_out", {"other"}), ("admin", {"shop", "other"})],
)
def test_enterprise_list_is_scoped(world, actor, visible):
    response = call("get", "/api/v1/enterprises", world["users"][actor])
    if visible is None:
        assert response.status_code == 401
        return
    body = response.json()
    assert {item["id"] for item in body["items"]} == {world[k].pk for k in visible}
    assert body["count"] == len(visible)


@pytest.mark.parametrize(
    ("actor", "codes"),
    [
        ("anonymous", None),
        # an operator sees the divisions above their enterprise
        ("operator", ["330000", "331000", "331081", "331081102"]),
        ("other_operator", ["330000", "330100", "330106", "330106001"]),
        # an inspector sees the subtree they were granted
        ("inspector_in", ["331081", "331081102", "331081104"]),
        ("inspector_out", ["330106", "330106001"]),
        ("admin", ["330000", "330100", "330106", "330106001", "331000", "331081", "331081102", "331081104"]),
    ],
)
def test_jurisdictions_are_scoped(world, actor, codes):
    response = call("get", "/api/v1/jurisdictions", world["users"][actor])
    if codes is None:
        assert response.status_code == 401
        return
    assert [j["code"] for j in response.json()] == codes


def test_jurisdiction_fields():
    user = f.make_admin()
    f.ensure_jurisdictions()
    rows = {j["code"]: j for j in call("get", "/api/v1/jurisdictions", user).json()}
    assert rows["331081102"] == {
        "code": "331081102", "name": "石塘镇", "name_en": "", "level": "township", "parent": "331081", "prefix": "331081102"
    }
    assert rows["330000"]["parent"] is None


def test_enterprise_detail_fields(world):
    shop = world["shop"]
    body = call("get", f"/api/v1/enterprises/{shop.pk}", world["users"]["operator"]).json()
    assert body["uscc"] == shop.uscc
    assert body["kind"] == "workshop"
    assert body["jurisdiction"] == {"code": "331081102", "name": "石塘镇"}
    assert body["created_at"].endswith("+08:00")


def test_enterprise_list_filters(world):
    admin = world["users"]["admin"]
    f.make_enterprise(jurisdiction="331081104", kind="retailer", name="泽国超市")
    names = lambda q: [e["name"] for e in call("get", f"/api/v1/enterprises?{q}", admin).json()["items"]]  # noqa: E731
    assert names("jurisdiction=331081") == ["泽国超市", "石塘鱼干作坊"]
    assert names("kind=retailer") == ["泽国超市"]
    assert names("q=鱼干") == ["石塘鱼干作坊"]
    assert names(f"q={world['other'].uscc.lower()}") == ["西湖糕点"]
    bad = call("get", "/api/v1/enterprises?jurisdiction=999999", admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "jurisdiction"


def test_register_enterprise_as_admin(world):
    admin = world["users"]["admin"]
    uscc = f.make_uscc(4242)
    response = call(
        "post", "/api/v1/enterprises", admin,
        {"name": " 泽国米面 ", "uscc": uscc.lower(), "kind": "workshop", "jurisdiction": "331081104", "licence_no": "JY1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["uscc"], body["jurisdiction"]["code"]) == ("泽国米面", uscc, "331081104")
    assert HistoryEntry.objects.filter(action="registry.enterprise.register", acting_user=admin).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"uscc": "WRONG"}, "uscc", "invalid_uscc"),
        ("bad-check", "uscc", "invalid_uscc"),
        ("duplicate", "uscc", "duplicate_uscc"),
        ({"jurisdiction": "331081999"}, "jurisdiction", "validation_error"),
        ({"kind": "castle"}, "kind", "validation_error"),
        ({"name": "  "}, "name", "validation_error"),
        ({"gln": "123"}, "gln", "validation_error"),
        ({"gln": "6901234000017"}, "gln", "invalid_gln"),  # wrong check digit
    ],
)
def test_register_enterprise_bad_input_names_the_field(world, change, field, code):
    body = _new_enterprise(world)
    if change == "bad-check":
        good = body["uscc"]
        body["uscc"] = good[:17] + ("0" if good[17] != "0" else "1")
    elif change == "duplicate":
        body["uscc"] = world["shop"].uscc
    else:
        body |= change
    before = counts()
    response = call("post", "/api/v1/enterprises", world["users"]["admin"], body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code
    assert [e["field"] for e in problem["errors"]] == [field]
    assert counts() == before


def test_partner_gln_is_checked_kept_and_links_an_enterprise_that_has_it(world):
    shop, other = world["shop"], world["other"]
    other.gln = "6901234000023"
    other.save(update_fields=["gln"])
    operator = world["users"]["operator"]
    url = f"/api/v1/enterprises/{shop.pk}/partners"
    before = counts()
    for bad, code in (("6901234000024", "invalid_gln"), ("69012340000", "validation_error")):
        response = call("post", url, operator, {"name": "远方农场", "gln": bad})
        assert response.status_code == 422
        assert (response.json()["code"], [e["field"] for e in response.json()["errors"]]) == (code, ["gln"])
    assert counts() == before
    farm = call("post", url, operator, {"name": "远方农场", "kind": "supplier", "gln": " 6901234000016 "})
    assert farm.status_code == 201, farm.content
    assert (farm.json()["gln"], farm.json()["linked_enterprise"]) == ("6901234000016", None)
    linked = call("post", url, operator, {"name": "西湖糕点", "gln": "6901234000023"}).json()
    assert (linked["gln"], linked["linked_enterprise"]) == ("6901234000023", {"id": other.pk, "name": other.name})


def test_partner_with_a_platform_credit_code_is_linked(world):
    shop, other = world["shop"], world["other"]
    response = call(
        "post", f"/api/v1/enterprises/{shop.pk}/partners", world["users"]["operator"],
        {"name": "西湖糕点", "kind": "customer", "uscc": other.uscc.lower()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["linked_enterprise"] == {"id": other.pk, "name": "西湖糕点"}
    assert (body["kind"], body["uscc"], body["enterprise_id"]) == ("customer", other.uscc, shop.pk)
    off = call("post", f"/api/v1/enterprises/{shop.pk}/partners", world["users"]["operator"], {"name": "码头摊位"}).json()
    assert off["linked_enterprise"] is None
    assert off["kind"] == "both"
    dup = call("post", f"/api/v1/enterprises/{shop.pk}/partners", world["users"]["operator"], {"name": "码头摊位"})
    assert dup.status_code == 422
    assert dup.json()["errors"][0]["field"] == "name"
    listed = call("get", f"/api/v1/enterprises/{shop.pk}/partners", world["users"]["inspector_in"]).json()
    assert [p["name"] for p in listed["items"]] == ["码头摊位", "西湖糕点"]


def test_staff_certificates_are_flagged(world):
    shop = world["shop"]
    today = timezone.localdate()
    for name, expires in [("甲", None), ("乙", today - dt.timedelta(days=1)), ("丙", today + dt.timedelta(days=30)),
                          ("丁", today + dt.timedelta(days=31))]:
        add_staff_member(shop, name=name, health_certificate_expires=expires, acting_user=None)
    rows = call("get", f"/api/v1/enterprises/{shop.pk}/staff", world["users"]["inspector_in"]).json()["items"]
    assert {r["name"]: r["certificate_status"] for r in rows} == {"甲": "missing", "乙": "expired", "丙": "expiring", "丁": "valid"}
    created = call(
        "post", f"/api/v1/enterprises/{shop.pk}/staff", world["users"]["operator"],
        {"name": "戊", "post": "加工", "health_certificate_no": "HC-1", "health_certificate_expires": "2031-01-31"},
    ).json()
    assert (created["health_certificate_expires"], created["certificate_status"]) == ("2031-01-31", "valid")
    bad = call("post", f"/api/v1/enterprises/{shop.pk}/staff", world["users"]["operator"],
               {"name": "己", "health_certificate_expires": "31/01/2031"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "health_certificate_expires"


def _queries(path, user):
    with CaptureQueriesContext(connection) as ctx:
        response = call("get", path, user)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # token + roles, then the divisions above the operator's enterprises
        ("/api/v1/jurisdictions", 3),
        # token + roles, count + page
        ("/api/v1/enterprises", 4),
        # token + roles, the enterprise, count + page
        ("/api/v1/enterprises/{shop}/partners", 5),
        ("/api/v1/enterprises/{shop}/staff", 5),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(world, path, expected):
    shop = world["shop"]
    user = world["users"]["operator"]
    path = path.format(shop=shop.pk)

    def add_rows(n):
        for _ in range(n):
            f.make_partner(shop, linked=f.make_enterprise())
            add_staff_member(shop, name="员工", acting_user=None)
            create_jurisdiction(f"331081{200 + Jurisdiction.objects.count()}", "新镇", acting_user=None)

    admin, inspector = world["users"]["admin"], world["users"]["inspector_in"]
    add_rows(2)
    before = [_queries(path, u) for u in (user, inspector, admin)]
    add_rows(5)
    assert [_queries(path, u) for u in (user, inspector, admin)] == before
    assert before[0] == expected
