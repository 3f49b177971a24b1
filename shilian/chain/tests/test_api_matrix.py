"""Permission matrix for every scoped chain endpoint: anonymous, operator of the enterprise,
operator of another, inspector inside the jurisdiction, inspector outside, admin."""

import pytest

from shilian.chain.lotref import lgtin_urn
from shilian.chain.tests.test_api_support import (
    PDF,
    counts,
    problem_fields,
    upload,
    world_fixture,  # noqa: F401 — the `world` fixture
)
from shilian.core.testing.api import ACTORS, call

pytestmark = pytest.mark.django_db

READ = (401, 200, 404, 200, 404, 200)
WRITE = (401, 201, 404, 403, 404, 201)
SUPERVISE_READ = (401, 404, 404, 200, 404, 200)
SUPERVISE_WRITE = (401, 404, 404, 201, 404, 201)


def _urn(w):
    return lgtin_urn(w["product"].gtin, w["made"].code)


# (name, method, path, body, statuses per actor, field named on a 403/404)
MATRIX = [
    ("lot", "get", lambda w: f"/api/v1/lots/{w['made'].pk}", None, READ, "ref"),
    ("lot-by-urn", "get", lambda w: f"/api/v1/lots/{_urn(w)}", None, READ, "ref"),
    ("lookup", "get", lambda w: f"/api/v1/lots/lookup?ref={_urn(w)}", None, READ, "ref"),
    ("lot-events", "get", lambda w: f"/api/v1/lots/{w['made'].pk}/events", None, READ, None),
    ("stock", "get", lambda w: f"/api/v1/stock?enterprise={w['shop'].pk}", None, READ, None),
    ("event", "get", lambda w: f"/api/v1/events/{w['sale'].pk}", None, READ, None),
    ("trace", "get", lambda w: f"/api/v1/trace?lot={w['raw'].pk}&direction=forward", None, SUPERVISE_READ, "lot"),
    ("impact", "get", lambda w: f"/api/v1/recalls/impact?lot={_urn(w)}", None, SUPERVISE_READ, "lot"),
    ("recall", "get", lambda w: f"/api/v1/recalls/{w['recall'].pk}", None, READ, None),
    ("notice", "get", lambda w: f"/api/v1/recalls/{w['recall'].pk}/notice?format=csv", None, READ, None),
    (
        "receive", "post", lambda w: "/api/v1/events/receive",
        lambda w: {"enterprise": w["shop"].pk, "quantity": "5", "unit": "kg", "product_name": "白糖", "lot_code": "S1"},
        WRITE, "enterprise",
    ),
    (
        "receive-upload", "upload", lambda w: "/api/v1/events/receive/upload",
        lambda w: {"enterprise": w["shop"].pk, "quantity": 5, "unit": "kg", "product_name": "白糖", "lot_code": "S1"},
        WRITE, "enterprise",
    ),
    (
        "transform", "post", lambda w: "/api/v1/events/transform",
        lambda w: {"enterprise": w["shop"].pk, "inputs": [{"lot": w["raw"].pk, "quantity": 1, "unit": "kg"}],
                   "outputs": [{"product": w["product"].pk, "quantity": 1, "unit": "kg"}]},
        WRITE, "enterprise",
    ),
    (
        "ship", "post", lambda w: "/api/v1/events/ship",
        lambda w: {"enterprise": w["shop"].pk, "lines": [{"lot": w["made"].pk, "quantity": 1, "unit": "kg"}]},
        WRITE, "enterprise",
    ),
    (
        "dispose", "post", lambda w: "/api/v1/events/dispose",
        lambda w: {"lot": w["raw"].pk, "quantity": "1", "unit": "kg", "reason": "破损"},
        WRITE, "lot",
    ),
    (
        "inspect-self", "post", lambda w: "/api/v1/events/inspect",
        lambda w: {"lot": w["made"].pk, "kind": "self", "passed": True},
        WRITE, "lot",
    ),
    (
        "inspect-official", "post", lambda w: "/api/v1/events/inspect",
        lambda w: {"lot": w["made"].pk, "kind": "official", "passed": False},
        (401, 403, 404, 201, 404, 201), "lot",
    ),
    (
        "void", "post", lambda w: f"/api/v1/events/{w['sale'].pk}/void",
        lambda w: {"reason": "录错了"},
        WRITE, None,
    ),
    (
        "recall-start", "post", lambda w: "/api/v1/recalls",
        lambda w: {"lot": str(w["made"].pk), "reason": "菌落总数超标"},
        SUPERVISE_WRITE, "lot",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "actor", "status", "field"),
    [
        pytest.param(method, path, body, actor, statuses[i], field, id=f"{name}-{actor}")
        for name, method, path, body, statuses, field in MATRIX
        for i, actor in enumerate(ACTORS)
    ],
)
def test_permission_matrix(world, method, path, body, actor, status, field):
    user = world["users"][actor]
    before = counts()
    if method == "upload":
        response = upload(path(world), user, body(world), certificate=("cert.pdf", PDF))
    else:
        response = call(method, path(world), user, body(world) if body else None)
    assert response.status_code == status, response.content
    if status >= 400:
        assert counts() == before
        fields = problem_fields(response)
        if status in (403, 404):
            assert fields == ([field] if field else [])
    elif method != "get":
        after = counts()
        assert after["events"] > before["events"] or after["recalls"] > before["recalls"]


@pytest.mark.parametrize(
    ("path", "key", "visible"),
    [
        ("/api/v1/lots", "lots", {
            "operator": {"raw", "made", "spoiled"}, "other_operator": {"elsewhere"}, "inspector_in": {"raw", "made", "spoiled"},
            "inspector_out": {"elsewhere"}, "admin": {"raw", "made", "spoiled", "elsewhere"},
        }),
        ("/api/v1/recalls", "recalls", {
            "operator": {"recall"}, "other_operator": set(), "inspector_in": {"recall"}, "inspector_out": set(),
            "admin": {"recall"},
        }),
    ],
)
@pytest.mark.parametrize("actor", ACTORS)
def test_lists_are_scoped(world, path, key, visible, actor):
    response = call("get", path, world["users"][actor])
    if actor == "anonymous":
        assert response.status_code == 401
        return
    assert {item["id"] for item in response.json()["items"]} == {world[k].pk for k in visible[actor]}


@pytest.mark.parametrize("actor", ACTORS)
def test_event_list_is_scoped(world, actor):
    response = call("get", "/api/v1/events?limit=500", world["users"][actor])
    if actor == "anonymous":
        assert response.status_code == 401
        return
    enterprises = {item["enterprise"]["id"] for item in response.json()["items"]}
    expected = {
        "operator": {"shop"}, "other_operator": {"other"}, "inspector_in": {"shop"}, "inspector_out": {"other"},
        "admin": {"shop", "other"},
    }[actor]
    assert enterprises == {world[k].pk for k in expected}
