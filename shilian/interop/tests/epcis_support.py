"""Helpers for the EPCIS binding tests (no tests here): calling /epcis/ with bearer tokens,
capturing documents, counting what the store and the chain hold."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from django.test import Client

from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.core.models import HistoryEntry
from shilian.core.testing.api import auth
from shilian.interop.models import CaptureJob, ChainLink, EpcisEvent, EpcisIdentifier

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def post(path: str, user: Any, body: Any, *, content_type: str = "application/json", **headers: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(path, data, content_type=content_type, headers=headers, **auth(user))


def get(path: str, user: Any, params: Any = None, **headers: str) -> Any:
    url = f"{path}?{urlencode(params)}" if params else path
    return Client().get(url, headers=headers, **auth(user))


def event_url(event_id: str) -> str:
    return "/epcis/events/" + quote(event_id, safe="")


def document(*events: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return {
        "@context": context if context is not None else [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T08:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def observe(biz_step: str = "receiving", **fields: Any) -> dict[str, Any]:
    """A small ObjectEvent of one lot class (no chain effect unless its location is an enterprise's)."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": biz_step,
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 5, "uom": "KGM"}],
    }
    event.update(fields)
    return event


def capture(user: Any, body: Any, capture_callbacks: Any, **headers: str) -> tuple[Any, Any]:
    """POST /epcis/capture and run the job; (the 202-or-problem response, the job document or None)."""
    with capture_callbacks(execute=True):
        response = post("/epcis/capture", user, body, **headers)
    if response.status_code != 202:
        return response, None
    return response, get(response["Location"], user).json()


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def counts() -> dict[str, int]:
    return {
        "epcis": EpcisEvent.objects.count(),
        "identifiers": EpcisIdentifier.objects.count(),
        "links": ChainLink.objects.count(),
        "jobs": CaptureJob.objects.count(),
        "events": TraceEvent.objects.count(),
        "lines": EventLine.objects.count(),
        "lots": Lot.objects.count(),
        "history": HistoryEntry.objects.count(),
    }
