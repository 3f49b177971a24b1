"""Permission matrix for every scoped page: anonymous, operator of the enterprise, operator
of another, inspector inside the jurisdiction, inspector outside, admin.

Denied requests answer 404 (the same as a missing row) and write nothing."""

import pytest

from shilian.chain.actions import start_recall
from shilian.chain.tests import test_views_support
from shilian.chain.tests.test_views_support import ACTORS, client_for, counts

pytestmark = pytest.mark.django_db
world = test_views_support.world  # the fixture, under its own name

LOGIN = 302
# operator pages without an object: anyone who operates an enterprise sees their own
OWN_WORKSPACE = (LOGIN, 200, 200, 404, 404, 404)
# operator pages about the workshop's rows
WORKSHOP_ROW = (LOGIN, 200, 404, 404, 404, 404)
# inspector lists: each inspector sees their own scope
INSPECTOR_LIST = (LOGIN, 404, 404, 200, 200, 200)
# inspector pages about Wenling rows
WENLING_ROW = (LOGIN, 404, 404, 200, 404, 200)
# documents: whoever may view the enterprise
DOCUMENT = (LOGIN, 200, 404, 200, 404, 200)


def _recall(w):
    if "recall" not in w:
        w["recall"] = start_recall(w["raw"], reason="抽检不合格", acting_user=w["users"]["inspector_in"])
    return w["recall"]


GET_PAGES = [
    ("dashboard", lambda w: "/w/", OWN_WORKSPACE),
    ("receive", lambda w: "/w/receive/", OWN_WORKSPACE),
    ("produce", lambda w: "/w/produce/", OWN_WORKSPACE),
    ("ship", lambda w: "/w/ship/", OWN_WORKSPACE),
    ("products", lambda w: "/w/products/", OWN_WORKSPACE),
    ("partners", lambda w: "/w/partners/", OWN_WORKSPACE),
    ("operator-lot", lambda w: f"/w/lots/{w['made'].pk}/", WORKSHOP_ROW),
    ("document", lambda w: f"/documents/{w['document'].pk}/", DOCUMENT),
    ("enterprises", lambda w: "/r/", INSPECTOR_LIST),
    ("recalls", lambda w: "/r/recalls/", INSPECTOR_LIST),
    ("find-lot-form", lambda w: "/r/lots/", INSPECTOR_LIST),
    ("find-lot", lambda w: f"/r/lots/?ref={w['made'].pk}", (LOGIN, 404, 404, 302, 404, 302)),
    ("enterprise", lambda w: f"/r/enterprises/{w['workshop'].pk}/", WENLING_ROW),
    ("inspector-lot", lambda w: f"/r/lots/{w['made'].pk}/", WENLING_ROW),
    ("trace", lambda w: f"/r/trace/?lot={w['made'].pk}&direction=forward", WENLING_ROW),
    ("trace-back", lambda w: f"/r/trace/?lot={w['made'].pk}&direction=backward", WENLING_ROW),
    ("recall-form", lambda w: f"/r/recalls/new/?lot={w['made'].pk}", WENLING_ROW),
    ("recall", lambda w: f"/r/recalls/{_recall(w).pk}/", WENLING_ROW),
    ("recall-csv", lambda w: f"/r/recalls/{_recall(w).pk}/notice.csv", WENLING_ROW),
    ("recall-xlsx", lambda w: f"/r/recalls/{_recall(w).pk}/notice.xlsx", WENLING_ROW),
]


@pytest.mark.parametrize(("name", "path", "statuses"), GET_PAGES, ids=[row[0] for row in GET_PAGES])
def test_get_matrix(world, name, path, statuses):
    url = path(world)
    for actor, expected in zip(ACTORS, statuses, strict=True):
        response = client_for(world["users"][actor]).get(url)
        assert (actor, response.status_code) == (actor, expected)
        if expected == LOGIN and actor == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")


POSTS = [
    (
        "receive",
        lambda w: "/w/receive/",
        lambda w: {"product_name": "白糖", "supplier": w["supplier"].pk, "quantity": "5", "unit": "kg", "lot_code": "S1"},
        ("inspector_in", "inspector_out", "admin"),
    ),
    (
        "receive-shipment",
        lambda w: f"/w/receive/shipments/{w['shipment'].pk}/",
        lambda w: {"lot": w["made"].pk, "quantity": "30"},
        ("operator", "other_operator", "inspector_in", "inspector_out", "admin"),
    ),
    (
        "produce",
        lambda w: "/w/produce/",
        lambda w: {
            "inputs-TOTAL_FORMS": "1", "inputs-INITIAL_FORMS": "0", "inputs-0-lot": w["raw"].pk,
            "inputs-0-quantity": "1", "product": w["product"].pk, "quantity": "2",
        },
        ("inspector_in", "inspector_out", "admin"),
    ),
    (
        "ship",
        lambda w: "/w/ship/",
        lambda w: {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-lot": w["made"].pk, "lines-0-quantity": "1"},
        ("inspector_in", "inspector_out", "admin"),
    ),
    (
        "void",
        lambda w: f"/w/events/{w['shipment'].pk}/void/",
        lambda w: {"lot": w["made"].pk, "reason": "录错了"},
        ("other_operator", "inspector_in", "inspector_out", "admin"),
    ),
    (
        "recall",
        lambda w: "/r/recalls/new/",
        lambda w: {"lot": w["made"].pk, "reason": "抽检不合格"},
        ("operator", "other_operator", "inspector_out"),
    ),
    (
        "partner",
        lambda w: "/w/partners/",
        lambda w: {"name": "新客户", "kind": "customer"},
        ("inspector_in", "inspector_out", "admin"),
    ),
]


@pytest.mark.parametrize(("name", "path", "body", "denied"), POSTS, ids=[row[0] for row in POSTS])
def test_denied_posts_write_nothing(world, name, path, body, denied):
    before = counts()
    anonymous = client_for(None).post(path(world), body(world))
    assert anonymous.status_code == LOGIN
    for actor in denied:
        response = client_for(world["users"][actor]).post(path(world), body(world))
        assert (actor, response.status_code) == (actor, 404)
    assert counts() == before


@pytest.mark.parametrize("name", ["receive", "produce", "ship"])
def test_another_operator_cannot_reach_the_workshops_rows(world, name):
    """Their form acts for their own enterprise: the workshop's supplier or lots are not among
    its choices, so the post comes back with a field error and writes nothing."""
    _name, path, body, _denied = next(row for row in POSTS if row[0] == name)
    before = counts()
    response = client_for(world["users"]["other_operator"]).post(path(world), body(world))
    assert response.status_code == 200
    if name == "receive":
        assert list(response.context["form"].errors) == ["supplier"]
    else:
        assert [list(row.errors) for row in response.context["rows"]] == [["lot"]]
    assert counts() == before


def test_pick_enterprise_refuses_an_enterprise_not_operated(world):
    client = client_for(world["users"]["operator"])
    response = client.post("/w/pick/", {"enterprise": world["other"].pk})
    assert response.status_code == 404
    assert client.session.get("shilian_enterprise") is None
