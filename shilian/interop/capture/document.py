"""Reading what a client sent to capture: an EPCISDocument, an EPCISQueryDocument (its
result events), or one bare event (``POST /epcis/events``), into one ``Document``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shilian.interop.problems import validation

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
GS1_CONTEXTS = frozenset(
    {
        GS1_CONTEXT,
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)
EVENT_LIST = "/epcisBody/eventList"
QUERY_EVENT_LIST = "/epcisBody/queryResults/resultsBody/eventList"


@dataclass
class Document:
    """A document to capture: the whole of it (for validation) and where its events are."""

    raw: dict[str, Any]
    events: list[Any]
    list_pointer: str

    @property
    def context(self) -> Any:
        return self.raw.get("@context")

    @property
    def header(self) -> dict[str, Any] | None:
        header = self.raw.get("epcisHeader")
        return header if isinstance(header, dict) else None

    def extra_context(self) -> list[Any]:
        """The ``@context`` entries beyond the GS1 context: what the events' prefixes need."""
        context = self.context
        items = context if isinstance(context, list) else [context]
        return [item for item in items if item is not None and not (isinstance(item, str) and item in GS1_CONTEXTS)]


def parse_json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise validation(f"malformed JSON: {exc}") from None


def read_document(data: bytes) -> Document:
    """An EPCISDocument or EPCISQueryDocument; a ValidationException (400) when it is neither."""
    doc = parse_json(data)
    if not isinstance(doc, dict):
        raise validation("expected a JSON object: an EPCISDocument or EPCISQueryDocument", pointer="/")
    kind = doc.get("type")
    body = doc.get("epcisBody")
    if kind == "EPCISDocument":
        events = body.get("eventList") if isinstance(body, dict) else None
        pointer = EVENT_LIST
    elif kind == "EPCISQueryDocument":
        results = body.get("queryResults") if isinstance(body, dict) else None
        results_body = results.get("resultsBody") if isinstance(results, dict) else None
        events = results_body.get("eventList") if isinstance(results_body, dict) else None
        pointer = QUERY_EVENT_LIST
    else:
        raise validation(f"type must be EPCISDocument or EPCISQueryDocument, not {kind!r}", pointer="/type")
    if not isinstance(events, list):
        raise validation(f"{pointer} must be a list of events", pointer=pointer)
    return Document(doc, events, pointer)


def read_event(data: bytes) -> Document:
    """One bare event (its own ``@context`` if any) as a one-event EPCISDocument."""
    event = parse_json(data)
    if not isinstance(event, dict):
        raise validation("expected one EPCIS event (a JSON object)", pointer="/")
    event = dict(event)
    context = event.pop("@context", [GS1_CONTEXT])
    raw = {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": [event]},
    }
    return Document(raw, [event], EVENT_LIST)
