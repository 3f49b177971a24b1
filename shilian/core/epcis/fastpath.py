"""A fast, conservative JSON Schema check for EPCIS events.

The GS1 JSON Schema through ``jsonschema`` costs hundreds of microseconds per event; bulk capture
needs thousands of events per second. ``schema_accepts(event, spec)`` confirms in microseconds that
an event of one of the five standard types satisfies the schema. It is *stricter* than the schema:
it answers False whenever it meets anything it does not check or cannot be sure of (an unknown
event type, a field of another event type, an odd value), and the caller then runs the full schema
— so it never lets an invalid event through, it only saves time on valid ones
(``test_epcis_validation`` checks this on every conformance event and thousands of mutations).

The enumerations (CBV words the schema lists) are read from the loaded schema itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from rfc3339_validator import validate_rfc3339

URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_OTHER_URI = re.compile(r"^(?!(urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/))")
_OFFSET = re.compile(r"^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_HEX = re.compile(r"^[A-Fa-f0-9]+$")
GS1_TERM: Final = re.compile(r"^[A-Z][A-Za-z0-9_]*$")  # a bare GS1 Web Vocabulary term (validation relaxes for it)
_NOT_GS1_VOC = re.compile(r"^(?!(https?://gs1\.org/voc/|https?://www\.gs1\.org/voc/))")
_COMMON_REQUIRED: Final = ("eventTime", "eventTimeZoneOffset")

Check = Callable[[Any], bool]


def _uri(value: Any) -> bool:
    return isinstance(value, str) and URI.match(value) is not None


def _time(value: Any) -> bool:
    return isinstance(value, str) and validate_rfc3339(value.upper())


def _offset(value: Any) -> bool:
    return isinstance(value, str) and _OFFSET.fullmatch(value) is not None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _vocab(words: frozenset[str]) -> Check:
    def check(value: Any) -> bool:
        return isinstance(value, str) and (
            value in words or (URI.match(value) is not None and _OTHER_URI.match(value) is not None)
        )

    return check


def _epc_list(value: Any) -> bool:
    return isinstance(value, list) and all(_uri(v) for v in value) and len(set(value)) == len(value)


def _quantity_element(value: Any) -> bool:
    if not isinstance(value, dict) or not _uri(value.get("epcClass")):
        return False
    for key, item in value.items():
        if key == "quantity":
            if not _number(item):
                return False
        elif key == "uom":
            if not isinstance(item, str) or _UOM.fullmatch(item) is None:
                return False
        elif key != "epcClass":
            return False
    return True


def _quantity_list(value: Any) -> bool:
    return isinstance(value, list) and all(_quantity_element(v) for v in value)


def _location(value: Any) -> bool:
    return isinstance(value, dict) and _uri(value.get("id"))


def _ilmd(value: Any) -> bool:
    return isinstance(value, dict) and all(URI.match(key) is not None for key in value)


def _context(value: Any) -> bool:
    if isinstance(value, str):
        return URI.match(value) is not None
    if isinstance(value, dict):
        return True
    if not isinstance(value, list) or not all(isinstance(v, dict) or _uri(v) for v in value):
        return False
    return all(value[i] != value[j] for i in range(len(value)) for j in range(i + 1, len(value)))


def _uri_list(value: Any) -> bool:
    return isinstance(value, list) and all(_uri(v) for v in value)


def _extensible(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    """An object of known fields plus extension fields whose names are URIs (``propertyNames``)."""

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for key, item in value.items():
            field = fields.get(key)
            if field is None:
                if URI.match(key) is None:
                    return False
            elif not field(item):
                return False
        return all(name in value for name in required)

    return check


def _list_of(item: Check, min_items: int = 0, unique: bool = False) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list) or len(value) < min_items or not all(item(v) for v in value):
            return False
        return not unique or all(value[i] != value[j] for i in range(len(value)) for j in range(i + 1, len(value)))

    return check


class _Spec:
    """What the fast path checks, per event type (built from the schema's own enumerations)."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        def enum(name: str) -> frozenset[str]:
            return frozenset(next(o["enum"] for o in defs[name]["anyOf"] if "enum" in o))

        biz_step, disposition = _vocab(enum("bizStep")), _vocab(enum("disposition"))
        btt, sdt = _vocab(enum("bizTransaction-type")), _vocab(enum("source-dest-type"))
        measurement_types, alerts = enum("measurementType"), enum("sensorAlertType")

        def biz_transactions(value: Any) -> bool:
            return isinstance(value, list) and all(
                isinstance(v, dict)
                and _uri(v.get("bizTransaction"))
                and ("type" not in v or btt(v["type"]))
                and v.keys() <= {"type", "bizTransaction"}
                for v in value
            )

        def parties(member: str) -> Check:
            def check(value: Any) -> bool:
                return isinstance(value, list) and all(
                    isinstance(v, dict) and v.keys() == {"type", member} and sdt(v["type"]) and _uri(v[member])
                    for v in value
                )

            return check

        def measurement_type(value: Any) -> bool:
            return isinstance(value, str) and (
                value in measurement_types or GS1_TERM.match(value) is not None or _non_gs1_voc(value)
            )

        def alert(value: Any) -> bool:
            return isinstance(value, str) and (value in alerts or _non_gs1_voc(value))

        def persistent(value: Any) -> bool:
            entries = _list_of(disposition, min_items=1, unique=True)
            return (
                isinstance(value, dict)
                and value.keys() <= {"set", "unset"}
                and len(value) > 0
                and all(entries(v) for v in value.values())
            )

        metadata = _extensible(
            {"time": _time, "startTime": _time, "endTime": _time, "deviceID": _uri, "deviceMetadata": _uri,
             "rawData": _uri, "dataProcessingMethod": _uri, "bizRules": _uri}
        )  # fmt: skip
        report_fields: dict[str, Check] = {
            "type": measurement_type, "exception": alert, "time": _time, "component": _vocab(enum("component")),
            "stringValue": lambda v: isinstance(v, str), "booleanValue": lambda v: isinstance(v, bool),
            "hexBinaryValue": lambda v: isinstance(v, str) and _HEX.fullmatch(v) is not None,
            "uom": lambda v: isinstance(v, str),
        }  # fmt: skip
        for name in ("deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "microorganism",
                     "chemicalSubstance", "coordinateReferenceSystem", "uriValue"):  # fmt: skip
            report_fields[name] = _uri
        for name in ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"):
            report_fields[name] = _number
        plain_report = _extensible(report_fields)

        def report(value: Any) -> bool:
            return plain_report(value) and ("type" in value or "exception" in value)

        element = _extensible(
            {"sensorMetadata": metadata, "sensorReport": _list_of(report, min_items=1)}, ("sensorReport",)
        )
        declaration = _extensible(
            {"declarationTime": _time, "reason": _vocab(enum("error-reason")), "correctiveEventIDs": _uri_list},
            ("declarationTime",),
        )

        common: dict[str, Check] = {
            "@context": _context, "type": lambda v: True, "eventTime": _time, "recordTime": _time,
            "eventTimeZoneOffset": _offset, "eventID": _uri, "certificationInfo": lambda v: _uri(v) or _uri_list(v),
            "errorDeclaration": declaration, "bizStep": biz_step, "disposition": disposition,
            "persistentDisposition": persistent, "readPoint": _location, "bizLocation": _location,
            "bizTransactionList": biz_transactions, "sourceList": parties("source"),
            "destinationList": parties("destination"), "sensorElementList": _list_of(element),
        }  # fmt: skip
        action = {"action": lambda v: v in ("OBSERVE", "ADD", "DELETE")}
        self.fields: dict[str, dict[str, Check]] = {
            "ObjectEvent": {**common, **action, "epcList": _epc_list, "quantityList": _quantity_list, "ilmd": _ilmd},
            "TransformationEvent": {
                **common, "inputEPCList": _epc_list, "outputEPCList": _epc_list, "inputQuantityList": _quantity_list,
                "outputQuantityList": _quantity_list, "transformationID": _uri, "ilmd": _ilmd,
            },
            "AggregationEvent": {
                **common, **action, "parentID": _uri, "childEPCs": _uri_list, "childQuantityList": _quantity_list,
            },
            "AssociationEvent": {
                **common, **action, "parentID": _uri, "childEPCs": _uri_list, "childQuantityList": _quantity_list,
            },
            "TransactionEvent": {
                **common, **action, "parentID": _uri, "epcList": _uri_list, "quantityList": _quantity_list,
            },
        }  # fmt: skip


def _non_gs1_voc(value: str) -> bool:
    return URI.match(value) is not None and _NOT_GS1_VOC.match(value) is not None


def _fields_ok(event: Mapping[str, Any], checks: Mapping[str, Check]) -> bool:
    for key, value in event.items():
        check = checks.get(key)
        if check is None:
            if URI.match(key) is None:  # a standard field of another event type, or a bad name
                return False
        elif not check(value):
            return False
    return all(name in event for name in _COMMON_REQUIRED)


def _nonempty(event: Mapping[str, Any], name: str) -> bool:
    value = event.get(name)
    return isinstance(value, list) and len(value) > 0


def schema_accepts(event: Mapping[str, Any], spec: _Spec) -> bool:
    """True only if ``event`` certainly satisfies the EPCIS JSON Schema; False means "run the schema"."""
    kind = event.get("type")
    checks = spec.fields.get(kind) if isinstance(kind, str) else None
    if checks is None or not _fields_ok(event, checks):
        return False
    if kind == "TransformationEvent":
        has_input = _nonempty(event, "inputEPCList") or _nonempty(event, "inputQuantityList")
        has_output = _nonempty(event, "outputEPCList") or _nonempty(event, "outputQuantityList")
        return (has_input and has_output) or ((has_input or has_output) and "transformationID" in event)
    if "action" not in event:
        return False
    if kind == "ObjectEvent":
        if "ilmd" in event and event["action"] != "ADD":
            return False
        return (
            "epcList" in event
            or _nonempty(event, "quantityList")
            or (_nonempty(event, "sensorElementList") and "readPoint" in event)
        )
    if kind == "TransactionEvent":
        if not _nonempty(event, "bizTransactionList"):
            return False
        return "epcList" in event or _nonempty(event, "quantityList") or event["action"] == "DELETE"
    if kind == "AssociationEvent" and "parentID" not in event:
        return False
    return _nonempty(event, "childEPCs") or _nonempty(event, "childQuantityList") or event["action"] == "DELETE"


def make_spec(defs: Mapping[str, Any]) -> _Spec:
    return _Spec(defs)
