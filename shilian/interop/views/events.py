"""``/epcis/events``: query the store (EPCIS query parameters, paging), capture one event;
``/epcis/events/{eventID}``: one event and its error declaration."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse

from shilian.interop.access import access_epcis_event
from shilian.interop.capture.actions import capture_event
from shilian.interop.query import params, search
from shilian.interop.query.documents import query_document
from shilian.interop.sync import sync_chain_events
from shilian.interop.views.common import accepts_json, endpoint, epc_format, json_response, read_json_body, user_of


@endpoint("GET", "POST")
def events(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if request.method == "POST":
        _, event = capture_event(user, read_json_body(request))
        response = json_response(query_document([(event.body, event.context)], epc_format(request)), 201)
        response["Location"] = request.build_absolute_uri(f"/epcis/events/{quote(event.event_id, safe='')}")
        return response
    accepts_json(request)
    fmt = epc_format(request)
    query = params.parse({name: request.GET.getlist(name) for name in request.GET})
    sync_chain_events()
    page = search.run(user, query)
    response = json_response(query_document(page.rows, fmt))
    response["GS1-EPC-Format"] = fmt.value
    if page.next_token is not None:
        kept = [(k, v) for k in request.GET for v in request.GET.getlist(k) if k != "nextPageToken"]
        url = request.build_absolute_uri(f"{request.path}?{urlencode([*kept, ('nextPageToken', page.next_token)])}")
        response["Link"] = f'<{url}>; rel="next"'
    return response


@endpoint("GET")
def event(request: HttpRequest, event_id: str) -> HttpResponse:
    user = user_of(request)
    accepts_json(request)
    fmt = epc_format(request)
    sync_chain_events()
    rows = access_epcis_event(user, event_id)
    response = json_response(query_document([(row.body, row.context) for row in rows], fmt))
    response["GS1-EPC-Format"] = fmt.value
    return response


@endpoint("GET")
def root(request: HttpRequest) -> HttpResponse:
    user_of(request)
    return json_response(
        {
            "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            "type": "Collection",
            "member": ["capture", "events"],
        }
    )
