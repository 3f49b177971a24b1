"""Permission matrix of every /epcis/ endpoint: anonymous, operator of the enterprise,
operator of another, inspector inside the jurisdiction, inspector outside, admin. A
refusal changes nothing."""

import pytest

from shilian.core.testing import factories as f
from shilian.core.testing.api import ACTORS, auth
from shilian.interop.models import EpcisEvent
from shilian.interop.sync import sync_chain_events
from shilian.interop.tests.epcis_support import capture, counts, document, event_url, get, observe, post

pytestmark = pytest.mark.django_db

GLN = "6901234000016"
HERE = "urn:epc:id:sgln:6901234.00001.0"


@pytest.fixture(name="world")
def world_fixture():
    shop = f.make_enterprise(jurisdiction="331081102", name="石塘虾干作坊")
    shop.gln = GLN
    shop.save(update_fields=["gln"])
    other = f.make_enterprise(jurisdiction="330106001", kind="retailer", name="西湖副食店")
    users = f.make_actors(shop, other)
    f.receive(shop, quantity="10", product_name="鲜虾", lot_code="R1")
    f.receive(other, quantity="5", product_name="白糖", lot_code="X1")
    sync_chain_events()
    for user in users.values():
        auth(user)
    mine = EpcisEvent.objects.get(enterprise=shop)
    theirs = EpcisEvent.objects.get(enterprise=other)
    return {"shop": shop, "other": other, "users": users, "mine": mine, "theirs": theirs}


VISIBLE = {
    "anonymous": None,
    "operator": {"mine"},
    "other_operator": {"theirs"},
    "inspector_in": {"mine"},
    "inspector_out": {"theirs"},
    "admin": {"mine", "theirs"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_query_answers_only_what_the_actor_may_see(world, actor):
    response = get("/epcis/events", world["users"][actor])
    if VISIBLE[actor] is None:
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["type"] == "epcisException:SecurityException"
        return
    got = {e["eventID"] for e in response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]}
    assert got == {world[name].event_id for name in VISIBLE[actor]}


@pytest.mark.parametrize(("actor", "status"), list(zip(ACTORS, (401, 200, 404, 200, 404, 200), strict=True)))
def test_one_event(world, actor, status):
    assert get(event_url(world["mine"].event_id), world["users"][actor]).status_code == status


CAPTURE = (401, 202, 202, 403, 403, 202)  # the other operator's job fails: see below
CAPTURED = (False, True, False, False, False, True)


@pytest.mark.parametrize(("actor", "status", "stored"), list(zip(ACTORS, CAPTURE, CAPTURED, strict=True)))
def test_capture_for_the_enterprise(world, actor, status, stored, django_capture_on_commit_callbacks):
    user = world["users"][actor]
    before = counts()
    response, job = capture(
        user, document(observe("storing", bizLocation={"id": HERE})), django_capture_on_commit_callbacks
    )
    assert response.status_code == status
    if stored:
        assert job["success"] is True
        assert EpcisEvent.objects.filter(biz_step="storing", enterprise=world["shop"]).count() == 1
        return
    assert EpcisEvent.objects.count() == before["epcis"]
    assert {k: v for k, v in counts().items() if k not in ("jobs", "history")} == {
        k: v for k, v in before.items() if k not in ("jobs", "history")
    }
    if job is not None:
        [error] = job["errors"]
        assert (error["status"], error["type"], error["pointer"]) == (
            403,
            "epcisException:SecurityException",
            "/epcisBody/eventList/0/bizLocation/id",
        )
    else:
        assert counts() == before


@pytest.mark.parametrize(("actor", "status"), list(zip(ACTORS, (401, 201, 403, 403, 403, 201), strict=True)))
def test_capture_one_event(world, actor, status):
    before = counts()
    event = observe(
        "storing",
        bizLocation={"id": HERE},
        **{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]},
    )
    response = post("/epcis/events", world["users"][actor], event)
    assert response.status_code == status
    if status == 201:
        assert EpcisEvent.objects.get(biz_step="storing").enterprise == world["shop"]
    else:
        assert counts() == before


@pytest.mark.parametrize(("actor", "status"), list(zip(ACTORS, (401, 200, 404, 404, 404, 200), strict=True)))
def test_a_capture_job_is_seen_by_who_started_it(world, actor, status, django_capture_on_commit_callbacks):
    response, _ = capture(
        world["users"]["operator"],
        document(observe("storing", bizLocation={"id": HERE})),
        django_capture_on_commit_callbacks,
    )
    assert get(response["Location"], world["users"][actor]).status_code == status


@pytest.mark.parametrize(("actor", "status"), list(zip(ACTORS, (401, 200, 200, 200, 200, 200), strict=True)))
def test_root_and_job_list_need_a_token(world, actor, status):
    assert get("/epcis/", world["users"][actor]).status_code == status
    assert get("/epcis/capture", world["users"][actor]).status_code == status
