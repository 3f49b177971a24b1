"""The catalog API: products."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shilian.catalog.models import Product
from shilian.core.models import HistoryEntry
from shilian.core.testing import factories as f
from shilian.core.testing.api import ACTORS, auth, call

pytestmark = pytest.mark.django_db




def counts():
    return (Product.objects.count(), HistoryEntry.objects.count())


@pytest.fixture
def world():
    shop = f.make_enterprise(jurisdiction="331081102")
    other = f.make_enterprise(jurisdiction="330106001")
    users = f.make_actors(shop, other)
    for user in users.values():
        auth(user)
    products = {
        "shop": f.make_product(shop, name="虾干", gtin="6901234567892"),
        "other": f.make_product(other, name="桂花糕"),
    }
    return {"shop": shop, "other": other, "users": users, "products": products}


MATRIX = [
    ("product", "get", "/api/v1/products/{product}", None, (401, 200, 404, 200, 404, 200)),
    (
        "create",
        "post",
        "/api/v1/products",
        lambda w: {"enterprise": w["shop"].pk, "name": "鱼鲞", "gtin": "96385074"},
        (401, 201, 404, 403, 404, 201),
    ),
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
    path = path.format(product=world["products"]["shop"].pk)
    response = call(method, path, world["users"][actor], body(world) if body else None)
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert counts() == before
    if status in (403, 404) and method == "post":
        assert response.json()["errors"][0]["field"] == "enterprise"


@pytest.mark.parametrize(
    ("actor", "visible"),
    [("anonymous", None), ("operator", {"shop"}), ("other_operator", {"other"}), ("inspector_in", {"shop"}),
     ("inspector_out", {"other"}), ("admin", {"shop", "other"})],
)
def test_product_list_is_scoped(world, actor, visible):
    response = call("get", "/api/v1/products", world["users"][actor])
    if visible is None:
        assert response.status_code == 401
        return
    assert {p["id"] for p in response.json()["items"]} == {world["products"][k].pk for k in visible}


def test_product_fields_and_filters(world):
    admin = world["users"]["admin"]
    body = call("get", f"/api/v1/products/{world['products']['shop'].pk}", admin).json()
    assert body["enterprise"] == {"id": world["shop"].pk, "name": world["shop"].name}
    assert (body["gtin"], body["unit"], body["shelf_life_days"], body["kind"]) == ("06901234567892", "kg", 180, "finished")
    ids = lambda q: [p["name"] for p in call("get", f"/api/v1/products?{q}", admin).json()["items"]]  # noqa: E731
    assert ids(f"enterprise={world['other'].pk}") == ["桂花糕"]
    assert ids("q=6901234567892") == ["虾干"]
    assert ids("q=花") == ["桂花糕"]


def test_create_product_normalises_gtin_to_14_digits(world):
    response = call(
        "post", "/api/v1/products", world["users"]["operator"],
        {"enterprise": world["shop"].pk, "name": "鱼鲞", "specification": "500g", "gtin": "96385074", "unit": "袋",
         "category": "aquatic", "kind": "finished", "shelf_life_days": 90},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["gtin"], body["unit"], body["category"], body["specification"]) == ("00000096385074", "bag", "aquatic", "500g")
    assert Product.objects.get(pk=body["id"]).gtin == "00000096385074"


@pytest.mark.parametrize(
    ("change", "field", "code", "status"),
    [
        ({"gtin": "6901234567893"}, "gtin", "invalid_gtin", 422),  # wrong check digit
        ({"gtin": "69012345"}, "gtin", "invalid_gtin", 422),
        ({"gtin": "06901234567892"}, "gtin", "duplicate_gtin", 422),
        ({"unit": "furlong"}, "unit", "unknown_unit", 422),
        ({"name": "虾干"}, "name", "duplicate_product", 422),
        ({"category": "rocks"}, "category", "validation_error", 422),
        ({"shelf_life_days": 0}, "shelf_life_days", "validation_error", 422),
        ({"enterprise": 999999}, "enterprise", "not_found", 404),
    ],
)
def test_create_product_bad_input_names_the_field(world, change, field, code, status):
    before = counts()
    body = {"enterprise": world["shop"].pk, "name": "鱼鲞"} | change
    response = call("post", "/api/v1/products", world["users"]["operator"], body)
    assert response.status_code == status
    problem = response.json()
    assert problem["code"] == code
    assert [e["field"] for e in problem["errors"]] == [field]
    assert counts() == before


def _queries(path, user):
    with CaptureQueriesContext(connection) as ctx:
        response = call("get", path, user)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_product_list_query_count_does_not_grow(world):
    users = [world["users"][a] for a in ("operator", "inspector_in", "admin")]
    before = [_queries("/api/v1/products", u) for u in users]
    for i in range(6):
        f.make_product(world["shop"], name=f"新品{i}")
    assert [_queries("/api/v1/products", u) for u in users] == before == [4, 4, 4]  # token, roles, count, page
