"""Conformance: every GS1 / openepcis valid document is accepted and can be queried back,
every invalid one is refused with a problem document naming the event and field."""

import json

import pytest

from shilian.core.epcis.hashing import document_hashes
from shilian.core.testing import factories as f
from shilian.core.testing.api import auth
from shilian.core.testing.conformance import EPCIS_QUERY, invalid_documents, load_json, valid_documents
from shilian.interop.tests.epcis_support import capture, counts, event_url, get, results

pytestmark = pytest.mark.django_db


def _events(doc):
    body = doc["epcisBody"]
    if "eventList" in body:
        return body["eventList"]
    return body["queryResults"]["resultsBody"]["eventList"]


def _selector(event):
    """One MATCH_ / EQ_ parameter that selects the event."""
    for key, param in (
        ("epcList", "MATCH_epc"),
        ("childEPCs", "MATCH_epc"),
        ("inputEPCList", "MATCH_inputEPC"),
        ("outputEPCList", "MATCH_outputEPC"),
    ):
        if event.get(key):
            return param, event[key][0]
    if event.get("parentID"):
        return "MATCH_parentID", event["parentID"]
    for key, param in (
        ("quantityList", "MATCH_epcClass"),
        ("childQuantityList", "MATCH_epcClass"),
        ("inputQuantityList", "MATCH_inputEPCClass"),
        ("outputQuantityList", "MATCH_outputEPCClass"),
    ):
        if event.get(key):
            return param, event[key][0]["epcClass"]
    if event.get("bizStep"):
        return "EQ_bizStep", event["bizStep"]
    return "eventType", event["type"]


def _ids(doc):
    hashes = document_hashes(doc)
    return [event.get("eventID") or digest for event, digest in zip(_events(doc), hashes, strict=True)]


@pytest.mark.parametrize("path", valid_documents() + sorted(EPCIS_QUERY.glob("*.json")), ids=lambda p: p.name)
def test_valid_document_is_captured_and_queried_back(path, django_capture_on_commit_callbacks):
    admin = f.make_admin()
    doc = load_json(path)
    response, job = capture(admin, path.read_bytes(), django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    assert job["running"] is False
    assert job["success"] is True, job["errors"]
    assert job["storedCount"] == len(_events(doc))
    for event, event_id in zip(_events(doc), _ids(doc), strict=True):
        by_id = results(get("/epcis/events", admin, {"EQ_eventID": event_id}))
        declared = "errorDeclaration" in event
        assert [("errorDeclaration" in e, e["eventID"]) for e in by_id if ("errorDeclaration" in e) == declared] == [
            (declared, event_id)
        ]
        param, value = _selector(event)
        found = results(get("/epcis/events", admin, {param: value, "perPage": 1000}))
        assert event_id in [e["eventID"] for e in found], (param, value)
        one = get(event_url(event_id), admin)
        assert event_id in [e["eventID"] for e in results(one)]


E = "/epcisBody/eventList/"
# A field each refusal must name (a problem may name more).
NAMED = {
    "Combination_of_events_with_missing_mandatory_fields.json": E + "0/action",
    "Combination_of_multiple_invalid_fields.json": E + "0/bizStep",
    "Combination_of_non_standard_bizStep_and_disposition.json": E + "0/bizStep",
    "EPCISDocument_without_context.json": "/@context",
    "ObjectEvent_with_ilmd_field_without_namespace.json": E + "0/ilmd/materialType",
    "ObjectEvent_with_invalid_action.json": E + "0/action",
    "ObjectEvent_with_invalid_certificationInfo.json": E + "0/certificationInfo",
    "ObjectEvent_with_invalid_eventTime_format.json": E + "0/eventTime",
    "ObjectEvent_with_non_standard_bizStep.json": E + "0/bizStep",
    "ObjectEvent_with_non_standard_bizStep_in_second_event.json": E + "1/bizStep",
    "ObjectEvent_with_non_standard_disposition.json": E + "0/disposition",
    "ObjectEvent_with_quantity_as_text.json": E + "0/quantityList/0/quantity",
    "ObjectEvent_with_unknown_field_in_quantityList.json": E + "0/quantityList/0/weight",
    "ObjectEvent_without_action_and_eventTime.json": E + "0/eventTime",
    "ObjectEvent_without_identifier_list.json": E + "0",
}


def test_every_invalid_document_has_a_named_field():
    assert sorted(NAMED) == [p.name for p in invalid_documents()]


@pytest.mark.parametrize("path", invalid_documents(), ids=lambda p: p.name)
def test_invalid_document_is_refused_with_a_problem(path, django_capture_on_commit_callbacks):
    admin = f.make_admin()
    auth(admin)  # the token (and its history row) first
    before = counts()
    response, _ = capture(admin, path.read_bytes(), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "epcisException:ValidationException"
    assert problem["errors"]
    assert NAMED[path.name] in [error["pointer"] for error in problem["errors"]]
    for error in problem["errors"]:
        assert error["pointer"].startswith("/")
        if "eventIndex" in error:
            assert error["pointer"].startswith(f"/epcisBody/eventList/{error['eventIndex']}")
            assert f"event {error['eventIndex']} " in error["detail"]
    assert counts() == before


def test_a_query_document_with_an_invalid_event_is_refused(django_capture_on_commit_callbacks):
    admin = f.make_admin()
    for path in sorted((EPCIS_QUERY / "Invalid").glob("*.json")):
        response, _ = capture(admin, path.read_bytes(), django_capture_on_commit_callbacks)
        assert response.status_code == 400, path.name
        assert response.json()["errors"][0]["pointer"].startswith("/epcisBody/queryResults/resultsBody/eventList/")


def _query_params(path):
    body = load_json(path)
    params = {}
    for name, value in body.items():
        if name == "@context":
            continue
        params[name] = "|".join(value) if isinstance(value, list) else str(value)
    return params


def test_the_simple_event_query_runs_and_the_invalid_queries_are_refused():
    admin = f.make_admin()
    simple = _query_params(EPCIS_QUERY / "Queries" / "SimpleEventQuery.json")
    assert results(get("/epcis/events", admin, simple)) == []
    for path in sorted((EPCIS_QUERY / "Queries" / "Invalid").glob("*.json")):
        response = get("/epcis/events", admin, _query_params(path))
        assert response.status_code == 400, path.name
        assert response.json()["type"] == "epcisException:QueryParameterException"
    unknown = get(
        "/epcis/events", admin, _query_params(EPCIS_QUERY / "Queries" / "Invalid" / "Query_with_unknown_parameter.json")
    )
    assert unknown.json()["pointer"] == "GE_eventDate"


def test_a_captured_document_is_stored_as_sent(django_capture_on_commit_callbacks):
    admin = f.make_admin()
    path = next(p for p in valid_documents() if p.name == "ObjectEvent_all_possible_fields.json")
    capture(admin, path.read_bytes(), django_capture_on_commit_callbacks)
    sent = load_json(path)["epcisBody"]["eventList"][0]
    got = results(
        get("/epcis/events", admin, {"EQ_eventID": sent["eventID"]}, **{"GS1-EPC-Format": "Never_Translates"})
    )
    stored = {k: v for k, v in got[0].items() if k != "recordTime"}
    assert json.loads(json.dumps(stored)) == sent
