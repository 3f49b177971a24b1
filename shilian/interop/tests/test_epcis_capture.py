"""Capture through the REST binding: jobs, rollback and proceed, duplicates (409), retries,
limits, bad requests, one event at a time, and captured events recorded on the chain."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shilian.chain.actions import void_event
from shilian.chain.models import Lot, TraceEvent
from shilian.core.testing import factories as f
from shilian.core.testing.api import auth
from shilian.interop.models import CaptureJob, ChainLink, EpcisEvent
from shilian.interop.tests.epcis_support import (
    capture,
    counts,
    document,
    event_url,
    get,
    observe,
    post,
    results,
)
from shilian.interop.tests.test_mapping_support import (
    chain_world,
    gln,
    lgtin,
    object_event,
    pgln,
    quantity,
    sgln,
    transformation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(name="admin")
def admin_fixture():
    user = f.make_admin()
    auth(user)
    return user


def _processor_document(w, *, lot="F1", shipped=20):
    """A processor's day: pork received from the farm, made into sausage, sausage shipped to the shop."""
    pork, sausage = w["pork"].gtin, w["sausage"].gtin
    return document(
        object_event(
            "receiving",
            [quantity(lgtin(pork, lot), 100)],
            location=sgln(gln(1)),
            source=pgln("6912345000017"),
            destination=pgln(gln(1)),
        ),
        transformation(
            [quantity(lgtin(pork, lot), 60)], [quantity(lgtin(sausage, "S" + lot), 50)], location=sgln(gln(1))
        ),
        object_event(
            "shipping",
            [quantity(lgtin(sausage, "S" + lot), shipped)],
            location=sgln(gln(1)),
            source=pgln(gln(1)),
            destination=pgln(gln(2)),
            time="2024-05-01T15:00:00+08:00",
        ),
    )


def test_captured_events_are_recorded_on_the_chain_and_linked(django_capture_on_commit_callbacks):
    w = chain_world()
    response, job = capture(w["operator"], _processor_document(w), django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert response["Location"] == f"/epcis/capture/{job['captureID']}"
    assert (job["running"], job["success"], job["storedCount"], job["chainCount"]) == (False, True, 3, 3)
    chain = list(TraceEvent.objects.order_by("pk").values_list("event_type", flat=True))
    assert chain == ["receive", "transform", "ship"]
    stored = list(EpcisEvent.objects.order_by("pk"))
    assert [e.trace_event.event_type for e in stored] == ["receive", "transform", "ship"]
    assert {e.enterprise_id for e in stored} == {w["processor"].pk}
    assert ChainLink.objects.count() == 3
    assert Lot.objects.get(code="SF1").quantity_on_hand == 30
    # reading them back does not render the chain events a second time
    before = counts()
    assert len(results(get("/epcis/events", w["operator"]))) == 3
    assert counts() == before


def test_rollback_refuses_the_whole_document_when_one_event_fails(django_capture_on_commit_callbacks):
    w = chain_world()
    auth(w["operator"])
    before = counts()
    response, job = capture(w["operator"], _processor_document(w, shipped=80), django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert (job["running"], job["success"], job["storedCount"], job["chainCount"]) == (False, False, 0, 0)
    assert job["captureErrorBehaviour"] == "rollback"
    [error] = job["errors"]
    assert error["eventIndex"] == 2
    assert error["pointer"].startswith("/epcisBody/eventList/2/quantityList/0")
    assert error["status"] == 422
    after = counts()
    assert (after["jobs"], after["history"]) == (before["jobs"] + 1, before["history"] + 1)  # the job and its record
    assert {k: v for k, v in after.items() if k not in ("jobs", "history")} == {
        k: v for k, v in before.items() if k not in ("jobs", "history")
    }


def test_an_event_that_has_not_happened_yet_is_refused_at_its_event_time(django_capture_on_commit_callbacks):
    w = chain_world()
    doc = _processor_document(w)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    doc["epcisBody"]["eventList"][2]["eventTime"] = tomorrow.isoformat(timespec="seconds")
    before = counts()
    _, job = capture(w["operator"], doc, django_capture_on_commit_callbacks)
    [error] = job["errors"]
    assert (job["success"], error["status"], error["eventIndex"]) == (False, 422, 2)
    assert error["pointer"] == "/epcisBody/eventList/2/eventTime"
    assert "future" in error["detail"]
    assert {k: v for k, v in counts().items() if k not in ("jobs", "history")} == {
        k: v for k, v in before.items() if k not in ("jobs", "history")
    }


def test_proceed_stores_the_good_events_and_reports_the_bad(django_capture_on_commit_callbacks):
    w = chain_world()
    response, job = capture(
        w["operator"],
        _processor_document(w, shipped=80),
        django_capture_on_commit_callbacks,
        **{"GS1-Capture-Error-Behaviour": "proceed"},
    )
    assert (job["success"], job["storedCount"], job["chainCount"], job["captureErrorBehaviour"]) == (
        False,
        2,
        2,
        "proceed",
    )
    assert [e["eventIndex"] for e in job["errors"]] == [2]
    assert list(TraceEvent.objects.order_by("pk").values_list("event_type", flat=True)) == ["receive", "transform"]


def test_proceed_stores_the_valid_events_of_a_document_with_an_invalid_one(admin, django_capture_on_commit_callbacks):
    doc = document(observe("receiving"), observe("transforming"), observe("shipping"))
    response, job = capture(
        admin, doc, django_capture_on_commit_callbacks, **{"GS1-Capture-Error-Behaviour": "proceed"}
    )
    assert response.status_code == 202
    assert (job["success"], job["storedCount"]) == (False, 2)
    [error] = job["errors"]
    assert (error["type"], error["eventIndex"], error["pointer"]) == (
        "epcisException:ValidationException",
        1,
        "/epcisBody/eventList/1/bizStep",
    )
    assert sorted(EpcisEvent.objects.values_list("biz_step", flat=True)) == ["receiving", "shipping"]


def test_an_event_already_stored_is_a_409_for_that_event(admin, django_capture_on_commit_callbacks):
    first = document(observe("receiving"), observe("shipping"))
    capture(admin, first, django_capture_on_commit_callbacks)
    again = document(observe("inspecting"), observe("shipping"))  # the second event is the same event
    again["creationDate"] = "2024-06-01T08:00:00+08:00"
    before = EpcisEvent.objects.count()
    response, job = capture(admin, again, django_capture_on_commit_callbacks)
    assert job["success"] is False
    [error] = job["errors"]
    assert (error["status"], error["type"], error["eventIndex"], error["pointer"]) == (
        409,
        "epcisException:ResourceAlreadyExistsException",
        1,
        "/epcisBody/eventList/1/eventID",
    )
    assert error["eventID"] == EpcisEvent.objects.get(biz_step="shipping").event_id
    assert EpcisEvent.objects.count() == before
    # the same event written another way (Digital Link, UTC time) has the same hash: still a 409
    other_way = observe(
        "shipping",
        eventTime="2024-05-01T00:00:00Z",
        quantityList=[{"epcClass": "https://id.gs1.org/01/04012345123456/10/998877", "quantity": 5, "uom": "KGM"}],
    )
    _, job = capture(admin, document(other_way), django_capture_on_commit_callbacks)
    assert [e["status"] for e in job["errors"]] == [409]


def test_an_event_twice_in_one_document_is_a_409(admin, django_capture_on_commit_callbacks):
    _, job = capture(admin, document(observe("receiving"), observe("receiving")), django_capture_on_commit_callbacks)
    assert [(e["status"], e["eventIndex"]) for e in job["errors"]] == [(409, 1)]
    assert EpcisEvent.objects.count() == 0


def test_a_retried_identical_document_gets_the_same_job_and_is_stored_once(admin, django_capture_on_commit_callbacks):
    body = json.dumps(document(observe("receiving"), observe("shipping"))).encode()
    first, job = capture(admin, body, django_capture_on_commit_callbacks)
    before = counts()
    second, again = capture(admin, body, django_capture_on_commit_callbacks)
    assert second.status_code == 202
    assert second["Location"] == first["Location"]
    assert again == job
    assert counts() == before
    # a failed rollback stored nothing: retrying it is a new attempt
    bad = json.dumps(document(observe("receiving"))).encode()  # already stored: fails
    one, failed = capture(admin, bad, django_capture_on_commit_callbacks)
    two, retried = capture(admin, bad, django_capture_on_commit_callbacks)
    assert failed["success"] is False
    assert two["Location"] != one["Location"]


def test_limits_are_advertised_and_enforced(admin, settings, django_capture_on_commit_callbacks):
    discovery = Client().options("/epcis/capture")
    assert discovery.status_code == 204
    assert discovery["GS1-EPCIS-Capture-Limit"] == "10000"
    assert int(discovery["GS1-EPCIS-Capture-File-Size-Limit"]) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert discovery["GS1-Capture-Error-Behaviour"] == "all"
    assert discovery["GS1-EPCIS-Version"] == "2.0.0"
    assert "POST" in discovery["Allow"]
    settings.SHILIAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT = 200
    big = document(observe("receiving"), observe("shipping"))
    response, _ = capture(admin, big, django_capture_on_commit_callbacks)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert response["GS1-EPCIS-Capture-File-Size-Limit"] == "200"
    del settings.SHILIAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT
    settings.SHILIAN_EPCIS_CAPTURE_LIMIT = 1
    response, _ = capture(admin, big, django_capture_on_commit_callbacks)
    assert response.status_code == 413
    assert "limit is 1" in response.json()["detail"]
    assert CaptureJob.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "headers", "status", "kind"),
    [
        (b"{not json", "application/json", {}, 400, "epcisException:ValidationException"),
        (b"[]", "application/json", {}, 400, "epcisException:ValidationException"),
        (json.dumps({"type": "Something"}).encode(), "application/json", {}, 400, "epcisException:ValidationException"),
        (
            json.dumps(document(observe())).encode(),
            "text/plain",
            {},
            415,
            "epcisException:UnsupportedMediaTypeException",
        ),
        (
            json.dumps(document(observe())).encode(),
            "application/json",
            {"GS1-Capture-Error-Behaviour": "maybe"},
            400,
            "epcisException:ValidationException",
        ),
    ],
)
def test_bad_requests_are_problems_and_store_nothing(
    admin, body, content_type, headers, status, kind, django_capture_on_commit_callbacks
):
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = post("/epcis/capture", admin, body, content_type=content_type, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == kind
    assert counts() == before


def test_ld_json_is_accepted(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post("/epcis/capture", admin, document(observe()), content_type="application/ld+json")
    assert response.status_code == 202


def test_one_event_is_captured_at_once_then_409(admin):
    event = observe("receiving")
    event["@context"] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
    response = post("/epcis/events", admin, event)
    assert response.status_code == 201, response.content
    stored = EpcisEvent.objects.get()
    assert response["Location"].endswith(event_url(stored.event_id))
    assert response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"] == stored.event_id
    assert stored.event_id.startswith("ni:///sha-256;")
    again = post("/epcis/events", admin, event)
    assert again.status_code == 409
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    assert again.json()["pointer"] == "/eventID"
    assert EpcisEvent.objects.count() == 1


def test_an_invalid_single_event_names_the_field(admin):
    response = post(
        "/epcis/events",
        admin,
        observe("transforming", **{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}),
    )
    assert response.status_code == 400
    assert response.json()["pointer"] == "/bizStep"
    assert CaptureJob.objects.count() == 0


def test_an_error_declaration_is_stored_beside_the_event_it_declares(admin, django_capture_on_commit_callbacks):
    original = observe("receiving", eventID="urn:uuid:11111111-2222-4333-8444-555555555555")
    capture(admin, document(original), django_capture_on_commit_callbacks)
    declared = {
        **original,
        "errorDeclaration": {"declarationTime": "2024-05-02T08:00:00+08:00", "reason": "incorrect_data"},
    }
    _, job = capture(admin, document(declared), django_capture_on_commit_callbacks)
    assert job["success"] is True, job["errors"]
    both = results(get(event_url(original["eventID"]), admin))
    assert [("errorDeclaration" in e) for e in both] == [False, True]
    declared_only = results(get("/epcis/events", admin, {"EXISTS_errorDeclaration": "true"}))
    assert [e["eventID"] for e in declared_only] == [original["eventID"]]
    _, job = capture(admin, document({**declared, "bizStep": "shipping"}), django_capture_on_commit_callbacks)
    assert [e["status"] for e in job["errors"]] == [409]


def test_capture_jobs_are_listed_for_their_owner(admin, django_capture_on_commit_callbacks):
    operator = f.make_operator(f.make_enterprise())
    response, job = capture(operator, document(observe("storing")), django_capture_on_commit_callbacks)
    assert job["success"] is True, job["errors"]
    assert job["report"] == {"storedOnly": {"0": "ObjectEvent bizStep storing: no chain effect"}}
    assert [j["captureID"] for j in get("/epcis/capture", operator).json()] == [job["captureID"]]
    other = f.make_operator(f.make_enterprise())
    assert get("/epcis/capture", other).json() == []
    assert get(response["Location"], other).status_code == 404
    assert [j["captureID"] for j in get("/epcis/capture", admin).json()] == [job["captureID"]]
    assert get("/epcis/capture", operator, {"perPage": "0"}).status_code == 400


def test_an_event_of_several_lots_links_every_chain_event_it_recorded(django_capture_on_commit_callbacks):
    w = chain_world()
    pork = w["pork"].gtin
    doc = document(
        object_event(
            "receiving",
            [quantity(lgtin(pork, "F1"), 10), quantity(lgtin(pork, "F2"), 20)],
            location=sgln(gln(1)),
            source=pgln("6912345000017"),
        )
    )
    _, job = capture(w["operator"], doc, django_capture_on_commit_callbacks)
    assert (job["success"], job["storedCount"], job["chainCount"]) == (True, 1, 1)
    stored = EpcisEvent.objects.get()
    receipts = list(TraceEvent.objects.order_by("pk"))
    assert len(receipts) == 2
    assert stored.trace_event == receipts[0]
    assert sorted(ChainLink.objects.values_list("trace_event_id", flat=True)) == [r.pk for r in receipts]
    before = counts()
    assert len(results(get("/epcis/events", w["operator"]))) == 1  # the sync renders neither receipt again
    assert counts() == before


def test_voiding_a_captured_event_on_the_pages_declares_it_erroneous(django_capture_on_commit_callbacks):
    w = chain_world()
    _, job = capture(w["operator"], _processor_document(w), django_capture_on_commit_callbacks)
    shipment = TraceEvent.objects.get(event_type="ship")
    void_event(shipment, reason="发错了", acting_user=w["operator"])
    declared = results(get("/epcis/events", w["operator"], {"EXISTS_errorDeclaration": "true"}))
    original = EpcisEvent.objects.get(trace_event=shipment)
    assert [e["eventID"] for e in declared] == [original.event_id]
    assert declared[0]["errorDeclaration"]["shilian:reason"] == "发错了"
    assert declared[0]["bizStep"] == "shipping"


def test_a_capture_that_loses_a_race_fails_with_a_409(admin, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import IntegrityError

    from shilian.interop.capture import pipeline

    def racing(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: interop_epcisevent.event_id")

    monkeypatch.setattr(pipeline, "write", racing)
    _, job = capture(admin, document(observe("storing")), django_capture_on_commit_callbacks)
    assert [(e["status"], e["type"]) for e in job["errors"]] == [(409, "epcisException:ResourceAlreadyExistsException")]
    response = post(
        "/epcis/events",
        admin,
        observe("storing", **{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}),
    )
    assert response.status_code == 409
    assert EpcisEvent.objects.count() == 0
