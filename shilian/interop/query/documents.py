"""Answers: stored events in an EPCISQueryDocument (JSON-LD), identifiers written the way
``GS1-EPC-Format`` asks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from shilian.interop.capture.document import GS1_CONTEXT
from shilian.interop.identifiers import EpcFormat, in_format

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_PLACES = ("readPoint", "bizLocation")
_SIDES = (("sourceList", "source"), ("destinationList", "destination"), ("bizTransactionList", "bizTransaction"))


def translate(body: dict[str, Any], fmt: EpcFormat) -> dict[str, Any]:
    """The event with its identifiers in ``fmt`` (a new dict; the stored body is untouched)."""
    if fmt in (EpcFormat.NEVER_TRANSLATES, EpcFormat.NO_PREFERENCE):
        return body
    out = dict(body)
    for key in _EPC_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [in_format(v, fmt) if isinstance(v, str) else v for v in out[key]]
    if isinstance(out.get("parentID"), str):
        out["parentID"] = in_format(out["parentID"], fmt)
    for key in _QUANTITY_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_with(q, "epcClass", fmt) for q in out[key]]
    for key in _PLACES:
        if isinstance(out.get(key), dict):
            out[key] = _with(out[key], "id", fmt)
    for key, member in _SIDES:
        if isinstance(out.get(key), list):
            out[key] = [_with(item, member, fmt) for item in out[key]]
    return out


def _with(item: Any, key: str, fmt: EpcFormat) -> Any:
    if isinstance(item, dict) and isinstance(item.get(key), str):
        return {**item, key: in_format(item[key], fmt)}
    return item


def query_document(
    rows: Sequence[tuple[dict[str, Any], list[Any]]], fmt: EpcFormat, *, query_name: str = "SimpleEventQuery"
) -> dict[str, Any]:
    """An EPCISQueryDocument of ``rows`` ((stored body, extra context) per event).

    The document's ``@context`` carries every namespace prefix the events use; an event
    whose prefix means something else than another event's keeps its own ``@context``.
    """
    urls: list[str] = []
    prefixes: dict[str, Any] = {}
    events = []
    for body, context in rows:
        event = translate(body, fmt)
        own: dict[str, Any] = {}
        for entry in context or ():
            if isinstance(entry, str):
                if entry not in urls:
                    urls.append(entry)
            elif isinstance(entry, dict):
                for prefix, iri in entry.items():
                    if prefixes.setdefault(prefix, iri) != iri:
                        own[prefix] = iri
        if own:
            existing = event.get("@context")
            extra = existing if isinstance(existing, list) else ([existing] if existing else [])
            event = {**event, "@context": [own, *extra]}
        events.append(event)
    context_out: list[Any] = [GS1_CONTEXT, *urls]
    if prefixes:
        context_out.append(prefixes)
    return {
        "@context": context_out,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {"queryResults": {"queryName": query_name, "resultsBody": {"eventList": events}}},
    }
