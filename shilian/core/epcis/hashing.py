"""The EPCIS event hash ID (GS1 CBV 2.0, section 8.9): ``ni:///sha-256;{hex}?ver=CBV2.0``.

An event is turned into a *pre-hash string* that does not depend on how it was written — JSON key
order, the order of list entries, EPC URN or GS1 Digital Link, the time zone of a timestamp, bare
CBV words or their URIs, namespace prefixes — and the string's SHA-256 is the ID. The rules follow the
reference implementation (RalphTro/epcis-event-hash-generator) and reproduce its goldens:

1. ``eventType=…`` then, in the canonical order of ``_ORDER``, each present field as ``name=value``
   (lists: the name, then the entries sorted; objects: the name, then their fields in order, then
   their user extensions sorted).
2. Then, sorted as strings: business transactions, sources, destinations (``type=…`` before the
   value), ``ilmd`` and top-level user extensions (``{namespace IRI}name=value``).
3. Left out: ``eventID``, ``recordTime``, ``errorDeclaration`` (declaring an error keeps the ID),
   comments, and the fields a document lists under ``…:ignoreFields``.
4. Values: trimmed; timestamps to UTC at millisecond precision (``…T10:00:30.000Z``, the 4th decimal
   rounded); numbers without trailing zeros; CBV 1.x URNs and bare CBV words to CBV web URIs; GS1 keys
   to the canonical Digital Link (``identifiers.canonical_epc``).

Pure functions; the same output for the same event, fast enough for bulk capture (no copies of the
event, cached identifier translation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from shilian.core.epcis import cbv
from shilian.core.epcis.identifiers import canonical_epc

HASH_VERSION: Final = "CBV2.0"

# Namespaces every EPCIS 2.0 document has through the standard JSON-LD context.
STANDARD_NAMESPACES: Final = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
_GS1_IRIS = ("https://ref.gs1.org", "https://gs1.org")
_COMMENTS = frozenset({"comment", "rdfs:comment", "{http://www.w3.org/2000/01/rdf-schema#}comment"})
_NOT_HASHED = frozenset({"type", "eventID", "recordTime", "errorDeclaration", "@context"}) | _COMMENTS


class EpcisContext:
    """The namespace prefixes of a document's ``@context`` (and an event's own, if it has one)."""

    __slots__ = ("_fields", "_keys", "_values", "namespaces")

    def __init__(self, context: Any = None, namespaces: Mapping[str, str] | None = None) -> None:
        self.namespaces: dict[str, str] = dict(namespaces or STANDARD_NAMESPACES)
        self._keys: dict[str, str] = {}
        self._values: dict[str, str] = {}  # canonical values seen with these namespaces (bounded)
        self._fields: dict[tuple[Any, ...], str] = {}  # ``name=value`` items of text values seen (bounded)
        items = context if isinstance(context, list) else [context]
        for item in items:
            if isinstance(item, dict):
                for prefix, iri in item.items():
                    if isinstance(iri, dict):
                        iri = iri.get("@id")
                    if isinstance(iri, str) and not prefix.startswith("@"):
                        self.namespaces[prefix] = iri

    @classmethod
    def of(cls, context: Any) -> EpcisContext:
        return context if isinstance(context, EpcisContext) else cls(context)

    def extend(self, context: Any) -> EpcisContext:
        return EpcisContext(context, self.namespaces)

    def expand_key(self, key: str) -> str:
        """``example:myField`` → ``{https://ns.example.com/epcis/}myField``; other keys unchanged."""
        expanded = self._keys.get(key)
        if expanded is None:
            prefix, sep, local = key.partition(":")
            iri = self.namespaces.get(prefix) if sep else None
            expanded = "{" + iri + "}" + local if iri is not None else key
            self._keys[key] = expanded
        return expanded

    def expand_value(self, value: str) -> str:
        """A CURIE of a GS1 vocabulary (``cbv:…``, ``gs1:…``) as its full URI; other values unchanged."""
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.namespaces:
            iri = self.namespaces[prefix]
            if iri.startswith(_GS1_IRIS):
                return iri + local
        return value


# --- values ------------------------------------------------------------------------------------------

_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", cbv.BIZ_STEP.uri_prefix),
    ("urn:epcglobal:cbv:disp:", cbv.DISPOSITION.uri_prefix),
    ("urn:epcglobal:cbv:btt:", cbv.BIZ_TRANSACTION_TYPE.uri_prefix),
    ("urn:epcglobal:cbv:sdt:", cbv.SOURCE_DEST_TYPE.uri_prefix),
    ("urn:epcglobal:cbv:er:", cbv.ERROR_REASON.uri_prefix),
)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(?:([Zz])|([+-])(\d\d):?(\d\d))?$"
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value).strip()


def _numeric(text: str) -> str:
    """Numbers without trailing zeros or a leading ``+`` (``452.0`` → ``452``); other text unchanged."""
    if not text or not (text[0].isdigit() or text[0] in "+-."):
        return text  # fast path: cannot be a number
    try:
        number = float(text)
        if int(number) == number:
            return str(int(number))
        return str(number)
    except (ValueError, OverflowError):
        return text


_VALUE_CACHE_LIMIT = 100_000


def canonical_value(text: str, ctx: EpcisContext) -> str:
    """A value as it enters the pre-hash: CBV URIs, plain numbers, canonical GS1 keys."""
    cache = ctx._values
    found = cache.get(text)
    if found is None:
        if len(cache) >= _VALUE_CACHE_LIMIT:
            cache.clear()
        found = cache[text] = _canonical_value(text, ctx)
    return found


def _canonical_value(text: str, ctx: EpcisContext) -> str:
    text = ctx.expand_value(text)
    if text.startswith("urn:epcglobal:cbv:"):
        for urn, uri in _CBV_URNS:
            text = text.replace(urn, uri)
    text = _numeric(text)
    if text.startswith(("urn:epc:", "http://", "https://")):
        return canonical_epc(text)
    return text


def canonical_time(text: str) -> str:
    """A timestamp in UTC at millisecond precision (``2020-03-04T10:00:30.000Z``); unparseable text as is.

    Fractions beyond microseconds are cut, then rounded to milliseconds half to even, as the reference
    implementation does. A timestamp without offset is taken as UTC.
    """
    match = _TIMESTAMP.match(text)
    if match is None:
        return text
    year, month, day, hour, minute, second, fraction, zulu, sign, oh, om = match.groups()
    tz = UTC
    if sign:
        offset = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz)
    except ValueError:
        return text
    if fraction:
        micro = int(fraction[:6].ljust(6, "0"))
        moment += timedelta(microseconds=round(micro, -3))
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


# The standard fields holding timestamps (the reference: a name containing "time", not "offset").
_TIME_FIELDS: Final = frozenset({"eventTime", "time", "startTime", "endTime", "declarationTime"})


# Values whose item is remembered: text, and numbers (equal numbers, 1 and 1.0, give one item).
_REMEMBERED: Final = frozenset({str, int, float})


def _field(name: str, value: Any, ctx: EpcisContext, vocab: cbv.Vocabulary | None = None) -> str:
    """``name=value`` of one scalar field of the standard model (empty string when it has no value).

    Items other than times are remembered per context: a document repeats its locations, steps,
    parties, quantities and units on every event."""
    if value.__class__ not in _REMEMBERED or name in _TIME_FIELDS:
        return _field_of(name, value, ctx, vocab)
    key = (name, value) if vocab is None else (name, value, vocab.name)
    cache = ctx._fields
    found = cache.get(key)
    if found is None:
        if len(cache) >= _VALUE_CACHE_LIMIT:
            cache.clear()
        found = cache[key] = _field_of(name, value, ctx, vocab)
    return found


def _field_of(name: str, value: Any, ctx: EpcisContext, vocab: cbv.Vocabulary | None) -> str:
    text = _text(value)
    if not text:
        return ""
    if vocab is not None:
        text = vocab.expand(text)
    if name in _TIME_FIELDS:
        return f"{name}={canonical_time(text)}"
    return f"{name}={canonical_value(text, ctx)}"


# --- user extensions (generic) -------------------------------------------------------------------------


def _generic(key: str, value: Any, ctx: EpcisContext, out: list[str]) -> None:
    """Append the pre-hash items of one field outside the standard model (lists: one item per entry)."""
    if isinstance(value, list):
        for entry in value:
            _generic(key, entry, ctx, out)
        return
    name = ctx.expand_key(key)
    if name in _COMMENTS:
        return
    if isinstance(value, dict):
        out.append(name + "".join(sorted(_generic_children(value, ctx))))
        return
    text = _text(value)
    if text is None:
        return
    out.append(f"{name}={canonical_value(text, ctx)}" if text else name)


def _generic_children(obj: Mapping[str, Any], ctx: EpcisContext) -> list[str]:
    out: list[str] = []
    for key, value in obj.items():
        if key not in _COMMENTS:
            _generic(key, value, ctx, out)
    return out


def _extensions(obj: Mapping[str, Any], known: Iterable[str], ctx: EpcisContext) -> str:
    """The user extensions inside a standard object, sorted (appended after its standard fields)."""
    out: list[str] = []
    for key, value in obj.items():
        if key not in known and key not in _COMMENTS:
            _generic(key, value, ctx, out)
    return "".join(sorted(out))


# --- the standard model ---------------------------------------------------------------------------------

_QUANTITY_FIELDS = ("epcClass", "quantity", "uom")
_METADATA_FIELDS = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules",
)  # fmt: skip
_REPORT_FIELDS = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism",
    "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
    "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
)  # fmt: skip
_REPORT_VOCABS = {"type": cbv.MEASUREMENT_TYPE, "exception": cbv.SENSOR_EXCEPTION, "component": cbv.COMPONENT}


def _object(name: str, obj: Any, fields: Iterable[str], ctx: EpcisContext, vocabs: Mapping[str, cbv.Vocabulary]) -> str:
    if not isinstance(obj, Mapping):
        return ""
    body = "".join(_field(f, obj[f], ctx, vocabs.get(f)) for f in fields if f in obj)
    body += _extensions(obj, fields, ctx)
    return name + body if body else ""


def _epcs(name: str, values: Any, ctx: EpcisContext) -> str:
    if not isinstance(values, list):
        values = [values]
    items = sorted(item for item in (_field("epc", v, ctx) for v in values) if item)
    return name + "".join(items) if items else ""


def _quantities(name: str, values: Any, ctx: EpcisContext) -> str:
    if not isinstance(values, list):
        return ""
    items = sorted(filter(None, (_object("quantityElement", q, _QUANTITY_FIELDS, ctx, {}) for q in values)))
    return name + "".join(items) if items else ""


def _location(name: str, value: Any, ctx: EpcisContext) -> str:
    if isinstance(value, str):
        value = {"id": value}
    return _object(name, value, ("id",), ctx, {})


def _persistent_disposition(name: str, value: Any, ctx: EpcisContext) -> str:
    if not isinstance(value, Mapping):
        return ""
    body = ""
    for part in ("set", "unset"):
        entries = value.get(part)
        if entries is None:
            continue
        if not isinstance(entries, list):
            entries = [entries]
        body += "".join(sorted(filter(None, (_field(part, e, ctx, cbv.DISPOSITION) for e in entries))))
    body += _extensions(value, ("set", "unset"), ctx)
    return name + body if body else ""


def _sensor_element(element: Any, ctx: EpcisContext) -> str:
    if not isinstance(element, Mapping):
        return ""
    body = _object("sensorMetadata", element.get("sensorMetadata"), _METADATA_FIELDS, ctx, {})
    reports = element.get("sensorReport") or []
    if not isinstance(reports, list):
        reports = [reports]
    body += "".join(
        sorted(filter(None, (_object("sensorReport", r, _REPORT_FIELDS, ctx, _REPORT_VOCABS) for r in reports)))
    )
    body += _extensions(element, ("sensorMetadata", "sensorReport"), ctx)
    return "sensorElement" + body if body else ""


def _sensor_elements(name: str, values: Any, ctx: EpcisContext) -> str:
    if not isinstance(values, list):
        return ""
    items = sorted(filter(None, (_sensor_element(e, ctx) for e in values)))
    return name + "".join(items) if items else ""


def _certification(name: str, value: Any, ctx: EpcisContext) -> str:
    values = value if isinstance(value, list) else [value]
    return "".join(sorted(filter(None, (_field(name, v, ctx) for v in values))))


def _scalar(name: str, value: Any, ctx: EpcisContext) -> str:
    return _field(name, value, ctx)


def _biz_step(name: str, value: Any, ctx: EpcisContext) -> str:
    return _field(name, value, ctx, cbv.BIZ_STEP)


def _disposition(name: str, value: Any, ctx: EpcisContext) -> str:
    return _field(name, value, ctx, cbv.DISPOSITION)


_ORDER: Final = (
    ("eventTime", _scalar),
    ("eventTimeZoneOffset", _scalar),
    ("certificationInfo", _certification),
    ("parentID", _scalar),
    ("epcList", _epcs),
    ("inputEPCList", _epcs),
    ("childEPCs", _epcs),
    ("quantityList", _quantities),
    ("childQuantityList", _quantities),
    ("inputQuantityList", _quantities),
    ("outputEPCList", _epcs),
    ("outputQuantityList", _quantities),
    ("action", _scalar),
    ("transformationID", _scalar),
    ("bizStep", _biz_step),
    ("disposition", _disposition),
    ("persistentDisposition", _persistent_disposition),
    ("readPoint", _location),
    ("bizLocation", _location),
    ("sensorElementList", _sensor_elements),
)
_ORDERED: Final = frozenset(name for name, _ in _ORDER)
_TYPED_LISTS: Final = {
    "bizTransactionList": ("bizTransaction", cbv.BIZ_TRANSACTION_TYPE),
    "sourceList": ("source", cbv.SOURCE_DEST_TYPE),
    "destinationList": ("destination", cbv.SOURCE_DEST_TYPE),
}


def _typed_list(name: str, values: Any, ctx: EpcisContext) -> str:
    """``bizTransactionList``/``sourceList``/``destinationList``: entries ``type=…{value name}=…``, sorted."""
    if not isinstance(values, list):
        return ""
    member, vocab = _TYPED_LISTS[name]
    items = []
    for entry in values:
        if not isinstance(entry, Mapping):
            continue
        text = _field("type", entry.get("type"), ctx, vocab) + _field(member, entry.get(member), ctx)
        text += _extensions(entry, ("type", member), ctx)
        if text:
            items.append(text)
    return name + "".join(sorted(items)) if items else ""


def _rest(event: Mapping[str, Any], ctx: EpcisContext, ignore: frozenset[str]) -> list[str]:
    """The items after the standard fields: typed lists, ilmd and user extensions (to be sorted)."""
    out: list[str] = []
    for key, value in event.items():
        if key in _ORDERED or key in _NOT_HASHED:
            continue
        if ignore and (key in ignore or ctx.expand_key(key) in ignore):
            continue
        if key in _TYPED_LISTS:
            text = _typed_list(key, value, ctx)
            if text:
                out.append(text)
        elif key == "ilmd" and isinstance(value, Mapping):
            body = "".join(sorted(_generic_children(value, ctx)))
            if body:
                out.append("ilmd" + body)
        else:
            _generic(key, value, ctx, out)
    return out


# --- public API ------------------------------------------------------------------------------------------


def prehash(event: Mapping[str, Any], context: Any = None, *, ignore: Iterable[str] = ()) -> str:
    """The canonical pre-hash string of one EPCIS event.

    ``context`` is the document's ``@context`` (or an ``EpcisContext``); ``ignore`` the field names a
    document lists under ``…:ignoreFields`` (see ``ignore_fields``).
    """
    ctx = EpcisContext.of(context)
    if "@context" in event:
        ctx = ctx.extend(event["@context"])
    ignored = frozenset(ignore)
    if ignored:
        ignored = ignored | {ctx.expand_key(name) for name in ignored}
    parts = ["eventType=" + str(event.get("type", ""))]
    for name, encode in _ORDER:
        if name in event and name not in ignored:
            parts.append(encode(name, event[name], ctx))
    parts.extend(sorted(_rest(event, ctx, ignored)))
    return "".join(parts)


def hash_prehash(text: str) -> str:
    """The ``ni:`` URI (RFC 6920) of a pre-hash string."""
    return f"ni:///sha-256;{hashlib.sha256(text.encode()).hexdigest()}?ver={HASH_VERSION}"


def event_hash(event: Mapping[str, Any], context: Any = None, *, ignore: Iterable[str] = ()) -> str:
    """The CBV 2.0 event hash ID: ``ni:///sha-256;{hex}?ver=CBV2.0``."""
    return hash_prehash(prehash(event, context, ignore=ignore))


def document_events(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events of an EPCISDocument or EPCISQueryDocument (empty when it has none)."""
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        return []
    if "eventList" in body:
        events = body["eventList"]
    elif isinstance(body.get("queryResults"), Mapping):
        events = (body["queryResults"].get("resultsBody") or {}).get("eventList", [])
    elif "event" in body:
        events = [body["event"]]
    else:
        events = []
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def ignore_fields(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields a document asks to leave out of event hashes (``{prefix}:ignoreFields``)."""
    found: list[str] = []
    holders: list[Any] = [document]
    body = document.get("epcisBody")
    if isinstance(body, Mapping):
        holders.append(body.get("queryResults"))
    for holder in holders:
        if isinstance(holder, Mapping):
            for key, value in holder.items():
                if (key == "ignoreFields" or key.endswith(":ignoreFields")) and isinstance(value, list):
                    found.extend(v for v in value if isinstance(v, str))
    return tuple(found)


def document_hashes(document: Mapping[str, Any]) -> list[str]:
    """The event hash ID of every event of a document, in document order."""
    ctx = EpcisContext.of(document.get("@context"))
    ignore = ignore_fields(document)
    return [event_hash(event, ctx, ignore=ignore) for event in document_events(document)]


def document_prehashes(document: Mapping[str, Any]) -> list[str]:
    ctx = EpcisContext.of(document.get("@context"))
    ignore = ignore_fields(document)
    return [prehash(event, ctx, ignore=ignore) for event in document_events(document)]
