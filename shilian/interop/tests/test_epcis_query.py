"""Querying the store: each EPCIS query parameter, identifiers in either form, paging, the
answer's identifier format, and parameters that are refused."""

import pytest
from django.test import Client

from shilian.core.epcis.identifiers import digital_link
from shilian.core.testing import factories as f
from shilian.core.testing.api import auth
from shilian.interop.tests.epcis_support import capture, document, get, results

pytestmark = pytest.mark.django_db

L1 = "urn:epc:class:lgtin:4012345.012345.L1"
L1_DL = "https://id.gs1.org/01/04012345123456/10/L1"
SGTIN = "urn:epc:id:sgtin:0614141.107346.2017"
SSCC = "urn:epc:id:sscc:0614141.1234567890"
HERE = "urn:epc:id:sgln:0012345.11111.0"
DOCK = "urn:epc:id:sgln:0012345.11111.7"
GDTI = "urn:epc:id:gdti:0614141.00001.1618034"
FARM = "urn:epc:id:pgln:4012345.00225"
TRUCK = "urn:epc:id:pgln:0614141.00777"


def _id(n):
    return f"urn:uuid:00000000-0000-4000-8000-00000000000{n}"


def _event(n, kind, day, **fields):
    return {
        "type": kind,
        "eventID": _id(n),
        "eventTime": f"2024-05-0{day}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


EVENTS = [
    _event(
        0,
        "ObjectEvent",
        1,
        action="ADD",
        bizStep="receiving",
        disposition="in_progress",
        epcList=[SGTIN],
        quantityList=[{"epcClass": L1, "quantity": 10, "uom": "KGM"}],
        readPoint={"id": "urn:epc:id:sgln:0012345.11111.400"},
        bizLocation={"id": HERE},
        bizTransactionList=[{"type": "po", "bizTransaction": GDTI}],
        sourceList=[{"type": "owning_party", "source": FARM}],
        destinationList=[{"type": "owning_party", "destination": TRUCK}],
    ),
    _event(
        1,
        "ObjectEvent",
        2,
        action="OBSERVE",
        bizStep="shipping",
        disposition="in_transit",
        quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.L2", "quantity": 20, "uom": "KGM"}],
        bizLocation={"id": DOCK},
        sourceList=[{"type": "possessing_party", "source": TRUCK}],
    ),
    _event(
        2,
        "TransformationEvent",
        3,
        transformationID="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
        inputQuantityList=[{"epcClass": L1, "quantity": 5, "uom": "KGM"}],
        outputQuantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.054321.P1", "quantity": 3, "uom": "KGM"}],
    ),
    _event(
        3,
        "AggregationEvent",
        4,
        action="ADD",
        bizStep="packing",
        parentID=SSCC,
        childEPCs=["urn:epc:id:sgtin:0614141.107346.2018"],
        childQuantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.L3", "quantity": 7, "uom": "KGM"}],
    ),
    _event(
        4,
        "ObjectEvent",
        5,
        action="OBSERVE",
        bizStep="storing",
        epcList=["urn:epc:id:sgtin:0614141.107346.2019"],
        errorDeclaration={"declarationTime": "2024-05-06T08:00:00+08:00", "reason": "did_not_occur"},
    ),
]


@pytest.fixture(name="admin")
def store_fixture(django_capture_on_commit_callbacks):
    admin = f.make_admin()
    _, job = capture(admin, document(*EVENTS), django_capture_on_commit_callbacks)
    assert job["success"], job["errors"]
    return admin


def _ids(admin, params, **headers):
    return [int(e["eventID"][-1]) for e in results(get("/epcis/events", admin, params, **headers))]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [0, 1, 2, 3, 4]),
        ({"eventType": "ObjectEvent"}, [0, 1, 4]),
        ({"eventType": "TransformationEvent|AggregationEvent"}, [2, 3]),
        ({"GE_eventTime": "2024-05-02T08:00:00+08:00"}, [1, 2, 3, 4]),
        ({"LT_eventTime": "2024-05-02T00:00:00Z"}, [0]),
        ({"GE_recordTime": "2000-01-01T00:00:00Z"}, [0, 1, 2, 3, 4]),
        ({"LT_recordTime": "2000-01-01T00:00:00Z"}, []),
        ({"EQ_action": "ADD"}, [0, 3]),
        ({"EQ_bizStep": "shipping"}, [1]),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping|urn:epcglobal:cbv:bizstep:packing"}, [1, 3]),
        ({"EQ_disposition": "in_transit"}, [1]),
        ({"EQ_readPoint": "urn:epc:id:sgln:0012345.11111.400"}, [0]),
        ({"EQ_readPoint": "https://id.gs1.org/414/0012345111112/254/400"}, [0]),
        ({"EQ_bizLocation": HERE}, [0]),
        ({"WD_bizLocation": HERE}, [0, 1]),
        ({"WD_bizLocation": "https://example.com/414/0012345111112"}, [0, 1]),
        ({"WD_readPoint": HERE}, [0]),
        ({"EQ_transformationID": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"}, [2]),
        ({"MATCH_epc": SGTIN}, [0]),
        ({"MATCH_epc": digital_link("urn:epc:id:sgtin:0614141.107346.2018")}, [3]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.107346.*"}, [0, 3, 4]),
        ({"MATCH_parentID": SSCC}, [3]),
        ({"MATCH_anyEPC": "https://id.gs1.org/00/106141412345678908"}, [3]),
        ({"MATCH_epcClass": L1}, [0]),
        ({"MATCH_epcClass": L1_DL}, [0]),
        ({"MATCH_anyEPCClass": L1}, [0, 2]),
        ({"MATCH_anyEPCClass": L1_DL}, [0, 2]),
        ({"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:4012345.012345.*"}, [0, 1, 2, 3]),
        ({"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:4012345.*.*"}, [0, 1, 2, 3]),
        ({"MATCH_inputEPCClass": L1}, [2]),
        ({"MATCH_outputEPCClass": digital_link("urn:epc:class:lgtin:4012345.054321.P1")}, [2]),
        ({"EQ_quantity": "20"}, [1]),
        ({"GE_quantity": "10", "LT_quantity": "20"}, [0]),
        ({"LE_quantity": "3"}, [2]),
        ({"LT_quantity": "3"}, []),
        ({"GT_quantity": "7.5"}, [0, 1]),
        ({"EQ_eventID": f"{_id(2)}|{_id(3)}"}, [2, 3]),
        ({"EXISTS_errorDeclaration": "true"}, [4]),
        ({"EXISTS_errorDeclaration": "false"}, [0, 1, 2, 3, 4]),
        ({"EQ_errorReason": "did_not_occur"}, [4]),
        ({"GE_errorDeclarationTime": "2024-05-06T00:00:00+08:00"}, [4]),
        ({"LT_errorDeclarationTime": "2024-05-06T00:00:00+08:00"}, []),
        ({"EQ_bizTransaction_po": GDTI}, [0]),
        ({"EQ_bizTransaction_po": "https://id.gs1.org/253/06141410000121618034"}, [0]),
        ({"EQ_bizTransaction_desadv": GDTI}, []),
        ({"EQ_source_owning_party": FARM}, [0]),
        ({"EQ_source_possessing_party": TRUCK}, [1]),
        ({"EQ_destination_owning_party": digital_link(TRUCK)}, [0]),
        ({"EQ_bizStep": "receiving", "MATCH_anyEPCClass": L1}, [0]),
        ({"orderBy": "eventTime"}, [4, 3, 2, 1, 0]),
        ({"orderBy": "eventTime", "orderDirection": "ASC"}, [0, 1, 2, 3, 4]),
        ({"orderBy": "recordTime", "orderDirection": "ASC"}, [0, 1, 2, 3, 4]),
        ({"orderBy": "eventTime", "eventCountLimit": "2"}, [4, 3]),
        ({"maxEventCount": "5"}, [0, 1, 2, 3, 4]),
    ],
)
def test_each_parameter_selects_its_events(admin, params, expected):
    assert _ids(admin, params) == expected


def test_a_plus_turned_into_a_space_by_the_query_string_is_read_back(admin):
    response = Client().get("/epcis/events?GE_eventTime=2024-05-02T08:00:00+08:00", **auth(admin))
    assert [int(e["eventID"][-1]) for e in results(response)] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"GE_eventDate": "2024-01-01T00:00:00Z"}, "GE_eventDate"),
        ({"EQ_bizTransaction_": "x"}, "EQ_bizTransaction_"),
        ({"GE_eventTime": "not-a-date"}, "GE_eventTime"),
        ({"GE_eventTime": "2024-05-01T08:00:00"}, "GE_eventTime"),
        ({"EQ_action": "SHIPPED"}, "EQ_action"),
        ({"eventType": "Shipment"}, "eventType"),
        ({"orderBy": "bizStep"}, "orderBy"),
        ({"orderBy": "eventTime", "orderDirection": "SIDEWAYS"}, "orderDirection"),
        ({"orderDirection": "ASC"}, "orderDirection"),
        ({"eventCountLimit": "2"}, "eventCountLimit"),
        ({"orderBy": "eventTime", "eventCountLimit": "2", "maxEventCount": "3"}, "eventCountLimit"),
        ({"perPage": "0"}, "perPage"),
        ({"perPage": "many"}, "perPage"),
        ({"perPage": "1001"}, "perPage"),
        ({"GE_quantity": "lots"}, "GE_quantity"),
        ({"EXISTS_errorDeclaration": "perhaps"}, "EXISTS_errorDeclaration"),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:0614141.*.2017"}, "MATCH_epc"),
        ({"EQ_persistentDisposition_set": "recalled"}, "EQ_persistentDisposition_set"),
        ({"nextPageToken": "forged"}, "nextPageToken"),
        ({"EQ_bizStep": ""}, "EQ_bizStep"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(admin, params, named):
    response = get("/epcis/events", admin, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["pointer"]) == ("epcisException:QueryParameterException", named)


def test_a_query_over_max_event_count_is_refused(admin):
    response = get("/epcis/events", admin, {"maxEventCount": "4"})
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:QueryTooLargeException"


def _next(response):
    link = response.get("Link")
    if link is None:
        return None
    assert link.endswith('>; rel="next"')
    return link[1 : -len('>; rel="next"')]


def test_pages_follow_the_link_and_stay_stable_under_inserts(admin, django_capture_on_commit_callbacks):
    first = get("/epcis/events", admin, {"perPage": "2", "EQ_action": "ADD|OBSERVE"})
    assert [e["eventID"][-1] for e in results(first)] == ["0", "1"]
    url = _next(first)
    assert url.startswith("http://testserver/epcis/events?")
    assert "EQ_action=ADD%7COBSERVE" in url
    late = dict(EVENTS[0], eventID=_id(5), eventTime="2024-04-01T08:00:00+08:00")  # earlier in time, later in capture
    capture(admin, document(late), django_capture_on_commit_callbacks)
    second = Client().get(url, **auth(admin))
    assert [e["eventID"][-1] for e in results(second)] == ["3", "4"]
    third = Client().get(_next(second), **auth(admin))
    assert [e["eventID"][-1] for e in results(third)] == ["5"]
    assert _next(third) is None
    # a token only serves the query it was made for
    token = url.split("nextPageToken=")[1]
    assert get("/epcis/events", admin, {"perPage": "2", "nextPageToken": token}).status_code == 400


def test_pages_by_event_time_with_a_count_limit(admin):
    first = get("/epcis/events", admin, {"orderBy": "eventTime", "eventCountLimit": "3", "perPage": "2"})
    assert [e["eventID"][-1] for e in results(first)] == ["4", "3"]
    second = Client().get(_next(first), **auth(admin))
    assert [e["eventID"][-1] for e in results(second)] == ["2"]
    assert _next(second) is None


def test_identifiers_are_written_as_asked(admin):
    def first(fmt):
        headers = {"GS1-EPC-Format": fmt} if fmt else {}
        response = get("/epcis/events", admin, {"EQ_eventID": _id(0)}, **headers)
        return results(response)[0], response

    default, response = first(None)
    assert response["GS1-EPC-Format"] == "Always_GS1_Digital_Link"
    assert default["epcList"] == ["https://id.gs1.org/01/10614141073464/21/2017"]
    assert default["quantityList"][0]["epcClass"] == L1_DL
    assert default["bizLocation"] == {"id": "https://id.gs1.org/414/0012345111112"}
    assert default["sourceList"] == [{"type": "owning_party", "source": "https://id.gs1.org/417/4012345002256"}]
    urn, _ = first("Always_EPC_URN")
    assert (urn["epcList"], urn["quantityList"][0]["epcClass"], urn["bizLocation"]["id"]) == ([SGTIN], L1, HERE)
    assert first("Never_Translates")[0]["bizTransactionList"] == [{"type": "po", "bizTransaction": GDTI}]
    response = get("/epcis/events", admin, {}, **{"GS1-EPC-Format": "Sometimes"})
    assert response.status_code == 406


def test_the_answer_is_an_epcis_query_document_with_its_namespaces(admin, django_capture_on_commit_callbacks):
    ext = dict(EVENTS[0], eventID=_id(6), **{"ex:lotNote": "一号"})
    capture(
        admin,
        document(
            ext, context=["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"ex": "https://ex.example/"}]
        ),
        django_capture_on_commit_callbacks,
    )
    other = dict(EVENTS[0], eventID=_id(7), **{"ex:lotNote": "二号"})
    capture(
        admin,
        document(
            other,
            context=["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"ex": "https://other.example/"}],
        ),
        django_capture_on_commit_callbacks,
    )
    body = get("/epcis/events", admin, {"EQ_eventID": f"{_id(6)}|{_id(7)}"}).json()
    assert body["type"] == "EPCISQueryDocument"
    assert body["@context"] == [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"ex": "https://ex.example/"},
    ]
    six, seven = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert "@context" not in six
    assert seven["@context"] == [{"ex": "https://other.example/"}]


def test_an_unknown_event_is_a_404_problem(admin):
    response = get("/epcis/events/urn:uuid:99999999-0000-4000-8000-000000000000", admin)
    assert response.status_code == 404
    assert response.json()["type"] == "epcisException:NoSuchResourceException"


def test_listing_costs_the_same_queries_for_any_page_size(admin, django_assert_num_queries):
    get("/epcis/events", admin)  # the token and the sync state first
    with django_assert_num_queries(5):
        get("/epcis/events", admin, {"perPage": "1"})
    with django_assert_num_queries(5):
        get("/epcis/events", admin, {"perPage": "5", "MATCH_anyEPCClass": L1})


def test_only_json_is_offered_and_options_describe_the_endpoints(admin):
    response = get("/epcis/events", admin, {}, Accept="application/xml")
    assert response.status_code == 406
    assert response.json()["type"] == "epcisException:NotAcceptableException"
    assert get("/epcis/events", admin, {}, Accept="application/ld+json, application/json;q=0.9").status_code == 200
    options = Client().options("/epcis/events")
    assert (options.status_code, options["Allow"]) == (204, "OPTIONS, GET, POST")
    assert Client().options("/epcis/events/urn:uuid:x")["Allow"] == "OPTIONS, GET"
    put = Client().put("/epcis/events", **auth(admin))
    assert (put.status_code, put["Allow"]) == (405, "OPTIONS, GET, POST")
