"""EPCIS 2.0 validation: every conformance document, what each invalid one is rejected for, and the
fast path never accepting what the JSON Schema rejects."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from shilian.core.epcis.fastpath import schema_accepts
from shilian.core.epcis.hashing import STANDARD_NAMESPACES, document_events
from shilian.core.epcis.validation import DATA, Problem, _compiled, _load_schema, validate_document, validate_event
from shilian.core.testing.conformance import (
    EPCIS_EVENTS,
    EPCIS_INVALID,
    EPCIS_QUERY,
    hash_documents,
    invalid_documents,
    load_json,
    valid_documents,
)

# What each invalid document is rejected for: (event index, JSON Pointer in the event, words of the message).
REJECTED_FOR: dict[str, set[tuple[int | None, str, str]]] = {
    "Combination_of_events_with_missing_mandatory_fields": {
        (0, "/action", "action is required"),
        (1, "/action", "action is required"),
        (1, "/eventTimeZoneOffset", "eventTimeZoneOffset is required"),
    },
    "Combination_of_multiple_invalid_fields": {
        (0, "/bizStep", "'transforming' is not a standard bizStep"),
        (1, "/disposition", "'in_transport' is not a standard disposition"),
        (2, "/sourceList/0/type", "'place' is not a standard sourceOrDestinationType"),
        (3, "/ilmd/materialType", "needs a namespace prefix declared in @context"),
        (4, "/action", "'CREATE' must be one of: OBSERVE, ADD, DELETE"),
        (4, "/eventTime", "must be a date-time with a time zone offset"),
    },
    "Combination_of_non_standard_bizStep_and_disposition": {
        (0, "/bizStep", "'transforming' is not a standard bizStep"),
        (1, "/disposition", "'in_transport' is not a standard disposition"),
    },
    "EPCISDocument_without_context": {(None, "/@context", "@context is required")},
    "ObjectEvent_with_ilmd_field_without_namespace": {
        (0, "/ilmd/materialType", "needs a namespace prefix declared in @context"),
    },
    "ObjectEvent_with_invalid_action": {(0, "/action", "'CREATE' must be one of: OBSERVE, ADD, DELETE")},
    "ObjectEvent_with_invalid_certificationInfo": {(0, "/certificationInfo", "must be of type string")},
    "ObjectEvent_with_invalid_eventTime_format": {(0, "/eventTime", "'22-07-2026' must be a date-time")},
    "ObjectEvent_with_non_standard_bizStep": {(0, "/bizStep", "'transforming' is not a standard bizStep")},
    "ObjectEvent_with_non_standard_bizStep_in_second_event": {
        (1, "/bizStep", "'transforming' is not a standard bizStep"),
    },
    "ObjectEvent_with_non_standard_disposition": {(0, "/disposition", "'in_transport' is not a standard disposition")},
    "ObjectEvent_with_quantity_as_text": {(0, "/quantityList/0/quantity", "'twenty' must be of type number")},
    "ObjectEvent_with_unknown_field_in_quantityList": {(0, "/quantityList/0/weight", "weight is not allowed here")},
    "ObjectEvent_without_action_and_eventTime": {
        (0, "/action", "action is required"),
        (0, "/eventTime", "eventTime is required"),
        (0, "/eventTimeZoneOffset", "eventTimeZoneOffset is required"),
    },
    "ObjectEvent_without_identifier_list": {(0, "", "needs one of: epcList, quantityList")},
}


def test_the_conformance_sets_are_complete():
    assert len(valid_documents()) == 38
    assert sorted(p.stem for p in invalid_documents()) == sorted(REJECTED_FOR)


@pytest.mark.parametrize("path", valid_documents(), ids=lambda p: p.stem)
def test_valid_document_has_no_problems(path):
    assert validate_document(load_json(path)) == []


@pytest.mark.parametrize("path", invalid_documents(), ids=lambda p: p.stem)
def test_invalid_document_is_rejected_naming_event_and_field(path):
    problems = validate_document(load_json(path))
    expected = REJECTED_FOR[path.stem]
    assert {(p.event_index, p.pointer) for p in problems} == {(i, ptr) for i, ptr, _ in expected}
    for index, pointer, words in expected:
        (problem,) = [p for p in problems if (p.event_index, p.pointer) == (index, pointer)]
        assert words in problem.message, problem


# --- beyond the conformance documents -------------------------------------------------------------------

CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"sl": "https://shilian.org/epcis/"}]
RECEIVING: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2024-05-01T08:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "bizStep": "receiving",
    "disposition": "in_progress",
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.056789.L1", "quantity": 120.5, "uom": "KGM"}],
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "bizLocation": {"id": "https://id.gs1.org/414/6901234000016"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:PO1"}],
    "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6909999.00001"}],
    "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00001"}],
    "sl:note": "gate 2",
}
TRANSFORMING: dict[str, Any] = {
    "type": "TransformationEvent",
    "eventTime": "2024-05-01T09:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "bizStep": "commissioning",
    "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.056789.L1", "quantity": 100, "uom": "KGM"}],
    "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/06901234567892/10/P1", "quantity": 200}],
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "ilmd": {"cbvmda:itemExpirationDate": "2024-06-01", "sl:testResult": "pass"},
}


def test_typical_food_events_are_valid_and_take_the_fast_path():
    for event in (RECEIVING, TRANSFORMING):
        assert validate_event(event, CONTEXT, 3) == []
        assert schema_accepts(event, _compiled().spec)


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        ({"bizStep": "https://example.com/steps/washing"}, None, None),
        ({"bizStep": "cbv:BizStep-receiving"}, None, None),
        ({"bizStep": "https://ref.gs1.org/cbv/BizStep-washing"}, "/bizStep", "is not a standard bizStep"),
        ({"bizStep": "washing"}, "/bizStep", "a non-standard value must be a full URI"),
        ({"disposition": "urn:epcglobal:cbv:disp:in_progress"}, "/disposition", "CBV 1.x URN, not used in EPCIS 2.0"),
        ({"other:note": "x"}, "/other:note", "prefix 'other' of other:note is not declared in @context"),
        ({"note": "x"}, "/note", "needs a namespace prefix declared in @context"),
        ({"readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0", "zz:dock": "2"}}, "/readPoint/zz:dock", "not declared"),
        ({"quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.056789.L1", "quantity": "12"}]},
         "/quantityList/0/quantity", "must be of type number"),
        ({"eventTime": "2024-05-01T08:00:00"}, "/eventTime", "with a time zone offset"),
        ({"eventTimeZoneOffset": "8:00"}, "/eventTimeZoneOffset", "does not match"),
        ({"sourceList": [{"type": "supplier", "source": "urn:epc:id:pgln:6909999.00001"}]},
         "/sourceList/0/type", "not a standard sourceOrDestinationType"),
        ({"bizTransactionList": [{"type": "contract", "bizTransaction": "urn:x:1"}]},
         "/bizTransactionList/0/type", "not a standard bizTransactionType"),
    ],
)  # fmt: skip
def test_checks_beyond_the_schema(change, pointer, words):
    problems = validate_event({**RECEIVING, **change}, CONTEXT, 7)
    if pointer is None:
        assert problems == []
        return
    assert [(p.event_index, p.pointer) for p in problems] == [(7, pointer)], problems
    assert words in problems[0].message


def test_an_events_own_context_declares_prefixes():
    event = {**RECEIVING, "@context": [{"zz": "https://zz.example/"}], "zz:dock": "2"}
    assert validate_event(event, CONTEXT, 0) == []
    assert [p.pointer for p in validate_event({**RECEIVING, "zz:dock": "2"}, CONTEXT, 0)] == ["/zz:dock"]


def test_a_standalone_event_needs_its_context():
    event = {**TRANSFORMING, "ilmd": {"cbvmda:itemExpirationDate": "2024-06-01"}}
    assert validate_event(event, None, None) == [Problem(None, "/@context", "@context is required")]
    assert validate_event({**RECEIVING, "@context": CONTEXT}, None, None) == []
    assert validate_event([RECEIVING], CONTEXT, 0) == [Problem(0, "", "an event must be a JSON object")]


def test_document_problems_keep_the_events_position():
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T10:00:00+08:00",
        "epcisBody": {"eventList": ["not an event", RECEIVING, {**TRANSFORMING, "bizStep": "washing"}]},
    }
    problems = validate_document(doc)
    assert [(p.event_index, p.pointer) for p in problems] == [
        (None, "/epcisBody/eventList/0"),
        (0, ""),
        (2, "/bizStep"),
    ]
    assert str(problems[2]).startswith("event 2 /bizStep: 'washing' is not a standard bizStep")


def _shell_problems(shell: Any, doc: Any) -> list[tuple[str, str]]:
    return [(".".join(map(str, e.absolute_path)), e.message) for e in shell.iter_errors(doc)]


def test_the_shell_skips_event_lists_of_objects_only_when_that_finds_the_same_problems():
    compiled = _compiled()
    schema = _load_schema()  # as GS1 writes it (``if: {not: …}``), events only checked to be objects
    schema["definitions"]["eventList"] = {"type": "array", "items": {"type": "object"}}
    as_written = Draft7Validator(schema, format_checker=compiled.shell.format_checker)
    docs = [load_json(path) for path in (*valid_documents(), *invalid_documents(), *hash_documents())]
    docs += [
        {**RECEIVING, "@context": CONTEXT},
        {"type": "Unknown"},
        {"type": "EPCISDocument"},
        {**RECEIVING, "type": 7},
    ]
    for doc in docs:
        assert _shell_problems(compiled.bare_shell, doc) == _shell_problems(compiled.shell, doc)
        assert sorted(_shell_problems(compiled.shell, doc)) == sorted(_shell_problems(as_written, doc))
    query = {
        "@context": CONTEXT, "type": "EPCISQueryDocument", "schemaVersion": "2.0",
        "creationDate": "2024-05-01T10:00:00+08:00",
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": [RECEIVING, 7]}}},
    }  # fmt: skip
    assert [(p.event_index, p.pointer) for p in validate_document(query)][:1] == [
        (None, "/epcisBody/queryResults/resultsBody/eventList/1")
    ]


def test_standard_prefixes_are_those_of_the_shipped_epcis_context():
    context = json.loads((DATA / "epcis-context.jsonld").read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#", ":"))}
    assert prefixes == STANDARD_NAMESPACES


# --- the fast path is never more permissive than the schema ---------------------------------------------

_WRONG_VALUES: list[Any] = [
    None,
    7,
    1.5,
    True,
    "",
    "x y",
    "plain",
    "urn:epcglobal:cbv:bizstep:shipping",
    [],
    {},
    ["a", "a"],
]


def _mutants(event: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, value in event.items():
        out.append({k: v for k, v in event.items() if k != key})
        for wrong in _WRONG_VALUES:
            out.append({**event, key: wrong})
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items[:1]):
            if isinstance(item, dict):
                for sub in item:
                    for wrong in [*_WRONG_VALUES, "DELETED"]:
                        changed = copy.deepcopy(event)
                        target = changed[key][i] if isinstance(value, list) else changed[key]
                        if wrong == "DELETED":
                            del target[sub]
                        else:
                            target[sub] = wrong
                        out.append(changed)
                changed = copy.deepcopy(event)
                target = changed[key][i] if isinstance(value, list) else changed[key]
                target["extra"] = 1
                out.append(changed)
            elif isinstance(value, list):
                for wrong in _WRONG_VALUES:
                    out.append({**event, key: [wrong, *value[1:]]})
    return out


def _all_conformance_events() -> list[dict[str, Any]]:
    events = [RECEIVING, TRANSFORMING]
    for path in [*valid_documents(), *sorted(EPCIS_INVALID.glob("*.json")), *sorted(EPCIS_QUERY.glob("*.json"))]:
        events.extend(document_events(load_json(path)))
    events.extend(e for e in (load_json(p) for p in sorted(EPCIS_EVENTS.glob("*.json"))) if isinstance(e, dict))
    return events


def test_fast_path_never_accepts_what_the_schema_rejects():
    compiled = _compiled()
    accepted = checked = 0
    for event in _all_conformance_events():
        for candidate in [event, *_mutants(event)]:
            checked += 1
            if schema_accepts(candidate, compiled.spec):
                accepted += 1
                validator = compiled.events.get(candidate["type"], compiled.events[""])
                errors = [e.message for e in validator.iter_errors(candidate)]
                assert errors == [], (candidate, errors)
    assert checked > 20000
    assert accepted > 3000  # the fast path is exercised, not just refusing everything
