"""Validating EPCIS 2.0 JSON: the GS1 JSON Schema plus the checks the schema cannot make.

``validate_document(doc)`` and ``validate_event(event, context, index)`` return a list of ``Problem``
(empty when valid), each naming the event (its index in the document) and the field (a JSON Pointer
within the event, or within the document for document-level problems), with a message fit for an RFC
7807 problem detail.

Beyond the JSON Schema (``data/EPCIS-JSON-Schema.json``, draft-07, compiled once):

- vocabularies: a bare ``bizStep``, ``disposition``, persistent disposition, business transaction type,
  source/destination type, error reason or sensor type must be a CBV (or GS1 Web Vocabulary) word;
  anything else must be a full URI, and a URI in the CBV namespace must name a CBV word;
- namespaces: every user extension field (at the top of an event, in ``ilmd``, inside standard objects)
  must carry a prefix declared in the ``@context`` (the document's or the event's own) or be a full IRI;
- formats the schema leaves to a format checker: URIs, RFC 3339 timestamps with a time zone offset.
  Quantities must be JSON numbers (schema).

Three relaxations of the GS1 schema, each needed by a document of the conformance set (sensor
reports with only an exception, bare GS1 measurement types beyond the schema's list, persistent
dispositions on every event type): see ``data/README.md``. The event schema is compiled once, with
its ``$ref``s inlined; ``fastpath.schema_accepts`` confirms common events without it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from shilian.core.epcis import cbv
from shilian.core.epcis.fastpath import GS1_TERM, _Spec, make_spec, schema_accepts
from shilian.core.epcis.fastpath import URI as _URI
from shilian.core.epcis.hashing import EpcisContext

DATA: Final = Path(__file__).resolve().parent / "data"
# URI schemes a value or key may use without declaring them as a prefix in the @context.
URI_SCHEMES: Final = frozenset({"http", "https", "urn", "tag", "mailto", "geo", "did", "ni", "data", "ftp"})


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, where: ``event_index`` None for the document itself; ``pointer`` a JSON Pointer
    within the event (or the document); ``message`` in plain English."""

    event_index: int | None
    pointer: str
    message: str

    def __str__(self) -> str:
        where = f"event {self.event_index}" if self.event_index is not None else "document"
        return f"{where} {self.pointer or '/'}: {self.message}"


# --- the JSON Schema -------------------------------------------------------------------------------------


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=("date-time",))  # its own table: nothing registered globally
    checker.checks("uri")(lambda value: not isinstance(value, str) or _URI.match(value) is not None)
    return checker


def _load_schema() -> dict[str, Any]:
    """The GS1 schema with the relaxations the conformance documents need (see ``data/README.md``)."""
    schema: dict[str, Any] = json.loads((DATA / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    defs = schema["definitions"]
    # 1. A sensor report names a measurement type or an exception (alarm reports have no type).
    defs["sensorReport"]["required"] = []
    defs["sensorReport"]["anyOf"] = [{"required": ["type"]}, {"required": ["exception"]}]
    # 2. Bare GS1 Web Vocabulary measurement type names beyond the context's list (``EffectiveDoseRate``).
    defs["measurementType"]["anyOf"].append({"type": "string", "pattern": GS1_TERM.pattern})
    # 3. A persistent disposition on every event type (the GS1 schema has it on Object/Transformation only).
    for name in ("AggregationEvent", "TransactionEvent", "AssociationEvent"):
        body = defs[name]["allOf"][1]
        body["properties"]["persistentDisposition"] = {"$ref": "#/definitions/persistentDisposition"}
        for option in body["propertyNames"]["anyOf"]:
            if "enum" in option:
                option["enum"].append("persistentDisposition")
    return schema


def _inline(node: Any, defs: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """The schema with every local ``$ref`` replaced by its definition (``referencing`` lookups are the
    slowest part of ``jsonschema``), ``anyOf`` options with an ``enum`` tried first (a failing option
    builds error objects; the enum is the common case)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            name = ref.rsplit("/", 1)[1].replace("%40", "@")
            if name in seen:
                raise ValueError(f"recursive schema definition {name}")
            return _inline(defs[name], defs, (*seen, name))
        out = {key: _inline(value, defs, seen) for key, value in node.items()}
        if isinstance(out.get("anyOf"), list):
            out["anyOf"] = sorted(out["anyOf"], key=lambda option: not (isinstance(option, dict) and "enum" in option))
        return out
    if isinstance(node, list):
        return [_inline(item, defs, seen) for item in node]
    return node


def _without_not(branch: Any) -> Any:
    """``{"if": {"not": X}, "then": T}`` as ``{"if": X, "else": T}``: the same branch, but
    ``jsonschema`` evaluates ``not`` by building an error whose message holds the repr of the
    whole document (milliseconds for a large one), only to throw it away."""
    condition = branch.get("if") if isinstance(branch, dict) and branch.keys() == {"if", "then"} else None
    if isinstance(condition, dict) and condition.keys() == {"not"}:
        return {"if": condition["not"], "else": branch["then"]}
    return branch


@dataclass(frozen=True)
class _Compiled:
    shell: Draft7Validator  # the document without its events (each checked to be an object)
    bare_shell: Draft7Validator  # the same without looking into the event lists: for lists of objects only
    events: dict[str, Draft7Validator]  # one event, by type ("" for other types)
    spec: _Spec  # the fast path


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    """The validators, compiled once per process."""
    schema = _load_schema()
    defs = schema["definitions"]
    checker = _format_checker()
    shell = copy.deepcopy(schema)
    shell["definitions"]["eventList"] = {"type": "array", "items": {"type": "object"}}
    shell["allOf"] = [_without_not(branch) for branch in shell["allOf"]]
    bare = copy.deepcopy(shell)
    bare["definitions"]["eventList"] = {"type": "array"}
    wrapper = {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}
    events = {
        name: Draft7Validator(
            _inline({"allOf": [wrapper, {"$ref": f"#/definitions/{name}"}]}, defs), format_checker=checker
        )
        for name in (*cbv.EVENT_TYPES, "Extended-Event")
    }
    events[""] = events.pop("Extended-Event")
    return _Compiled(
        Draft7Validator(shell, format_checker=checker),
        Draft7Validator(bare, format_checker=checker),
        events,
        make_spec(defs),
    )


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_QUOTED = re.compile(r"'([^']+)'")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _schema_problem(error: ValidationError, index: int | None, prefix: Iterable[Any] = ()) -> Problem | None:
    path = [*prefix, *error.absolute_path]
    kind = error.validator
    if "propertyNames" in error.absolute_schema_path:
        kind = "propertyNames"
    if kind == "required":
        missing = _QUOTED.search(error.message)
        name = missing.group(1) if missing else "?"
        return Problem(index, _pointer([*path, name]), f"{name} is required")
    if kind == "additionalProperties":
        names = _QUOTED.findall(error.message.split("(")[-1]) or ["?"]
        return Problem(index, _pointer([*path, names[0]]), f"{', '.join(names)} is not allowed here")
    if kind == "propertyNames":
        name = str(error.instance)
        return Problem(
            index,
            _pointer([*path, name]),
            f"{name} is not a field of this object; an extension field needs a namespace prefix declared in @context",
        )
    if kind == "format":
        if error.validator_value == "date-time":
            message = "must be a date-time with a time zone offset (RFC 3339), e.g. 2024-05-01T08:00:00+08:00"
        else:
            message = f"must be a {error.validator_value}"
        return Problem(index, _pointer(path), f"{_show(error.instance)} {message}")
    if kind == "type":
        return Problem(index, _pointer(path), f"{_show(error.instance)} must be of type {error.validator_value}")
    if kind == "enum":
        values = [str(v) for v in error.validator_value]
        allowed = ", ".join(values[:12]) + (", …" if len(values) > 12 else "")
        return Problem(index, _pointer(path), f"{_show(error.instance)} must be one of: {allowed}")
    if kind in ("anyOf", "oneOf"):
        subs = list(error.context or [])
        names = [m.group(1) for s in subs if s.validator == "required" and (m := _QUOTED.search(s.message))]
        if not error.absolute_path and any(s.absolute_path for s in subs):
            # "epcList or quantityList or …" at the event: one is there but invalid, and the event's
            # own property schema reports why (the error names its field).
            return None
        if subs and len(names) == len(subs):
            return Problem(index, _pointer(path), f"needs one of: {', '.join(dict.fromkeys(names))}")
        sub = best_match(subs) if subs else None
        if sub is not None:
            return _schema_problem(sub, index, prefix)
    return Problem(index, _pointer(path), error.message)


def _schema_problems(errors: Iterable[ValidationError], index: int | None) -> list[Problem]:
    """Problems for the schema's errors; never none when the schema found an error."""
    found = list(errors)
    problems = [p for e in found if (p := _schema_problem(e, index)) is not None]
    if found and not problems:
        problems = [Problem(index, _pointer(found[0].absolute_path), found[0].message)]
    return problems


# --- the checks beyond the schema ---------------------------------------------------------------------------

_EVENT_FIELDS: Final = frozenset(
    {
        "@context", "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "certificationInfo",
        "errorDeclaration", "epcList", "parentID", "childEPCs", "inputEPCList", "outputEPCList", "quantityList",
        "childQuantityList", "inputQuantityList", "outputQuantityList", "action", "transformationID", "bizStep",
        "disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
        "destinationList", "sensorElementList", "ilmd",
    }
)  # fmt: skip
_METADATA_FIELDS: Final = frozenset(
    {"time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"}
)
_REPORT_FIELDS: Final = frozenset(
    {
        "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "time",
        "microorganism", "chemicalSubstance", "coordinateReferenceSystem", "value", "component", "stringValue",
        "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
        "percValue", "uom",
    }
)  # fmt: skip
_TYPED_LISTS: Final = {
    "bizTransactionList": ("bizTransaction", cbv.BIZ_TRANSACTION_TYPE),
    "sourceList": ("source", cbv.SOURCE_DEST_TYPE),
    "destinationList": ("destination", cbv.SOURCE_DEST_TYPE),
}
_TYPED_LIST_FIELDS: Final = {name: frozenset({"type", member}) for name, (member, _) in _TYPED_LISTS.items()}
_LOCATIONS: Final = frozenset({"readPoint", "bizLocation"})
_LOCATION_FIELDS: Final = frozenset({"id"})
_DECLARATION_FIELDS: Final = frozenset({"declarationTime", "reason", "correctiveEventIDs"})


class _Checker:
    """Walks one event, collecting problems the schema cannot see."""

    def __init__(self, ctx: EpcisContext, index: int | None) -> None:
        self.ctx = ctx
        self.index = index
        self.problems: list[Problem] = []

    def add(self, path: list[Any], message: str) -> None:
        self.problems.append(Problem(self.index, _pointer(path), message))

    def prefix_known(self, prefix: str) -> bool:
        return prefix in self.ctx.namespaces or prefix.lower() in URI_SCHEMES

    def vocab(self, path: list[Any], value: Any, vocab: cbv.Vocabulary) -> None:
        if not isinstance(value, str) or value in vocab.words:
            return  # the schema reports the type; a bare standard word is fine
        if vocab.urn_prefix and value.startswith(vocab.urn_prefix):
            word = value[len(vocab.urn_prefix) :]
            self.add(path, f"{value!r} is a CBV 1.x URN, not used in EPCIS 2.0 JSON: write {word!r} or its web URI")
            return
        if vocab.word(value) is not None:
            return
        if value.startswith((vocab.uri_prefix, vocab.curie_prefix)):
            self.add(path, f"{value!r} is not a standard {vocab.name} of the CBV")
            return
        if vocab is cbv.MEASUREMENT_TYPE and GS1_TERM.match(value):
            return  # a GS1 Web Vocabulary measurement type written bare
        if not _URI.match(value):
            self.add(
                path,
                f"{value!r} is not a standard {vocab.name} of the CBV; a non-standard value must be a full URI",
            )

    def extension(self, path: list[Any], key: str) -> None:
        """A user extension field must carry a namespace prefix declared in @context (or be a full IRI).

        Fields nested inside an extension's value are the extension's business: not checked.
        """
        if key.startswith("@"):
            return
        prefix, sep, _ = key.partition(":")
        if not sep:
            self.add(
                [*path, key],
                f"{key} is not a standard field; an extension field needs a namespace prefix declared in @context",
            )
            return
        if not self.prefix_known(prefix):
            self.add([*path, key], f"the namespace prefix {prefix!r} of {key} is not declared in @context")

    def extensions(self, path: list[Any], obj: Any, standard: frozenset[str]) -> None:
        if isinstance(obj, Mapping):
            for key in obj:
                if key not in standard:
                    self.extension(path, key)

    def event(self, event: Mapping[str, Any]) -> None:
        """Each field the event has, once (the problems are sorted by pointer afterwards)."""
        for key, value in event.items():
            if key not in _EVENT_FIELDS:
                self.extension([], key)
            elif key == "bizStep":
                self.vocab(["bizStep"], value, cbv.BIZ_STEP)
            elif key == "disposition":
                self.vocab(["disposition"], value, cbv.DISPOSITION)
            elif key == "persistentDisposition":
                self.persistent_disposition(value)
            elif key in _LOCATIONS:
                self.extensions([key], value, _LOCATION_FIELDS)
            elif key in _TYPED_LISTS:
                member, vocab = _TYPED_LISTS[key]
                self.typed_list(key, member, vocab, value)
            elif key == "sensorElementList":
                self.sensors(value)
            elif key == "ilmd":
                if isinstance(value, Mapping):
                    self.extensions(["ilmd"], value, frozenset())
            elif key == "errorDeclaration" and isinstance(value, Mapping):
                if "reason" in value:
                    self.vocab(["errorDeclaration", "reason"], value["reason"], cbv.ERROR_REASON)
                self.extensions(["errorDeclaration"], value, _DECLARATION_FIELDS)

    def persistent_disposition(self, value: Any) -> None:
        if not isinstance(value, Mapping):
            return
        for part in ("set", "unset"):
            entries = value.get(part)
            if isinstance(entries, list):
                for i, entry in enumerate(entries):
                    self.vocab(["persistentDisposition", part, i], entry, cbv.DISPOSITION)

    def typed_list(self, name: str, member: str, vocab: cbv.Vocabulary, entries: Any) -> None:
        if not isinstance(entries, list):
            return
        for i, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                if "type" in entry:
                    self.vocab([name, i, "type"], entry["type"], vocab)
                self.extensions([name, i], entry, _TYPED_LIST_FIELDS[name])

    def sensors(self, elements: Any) -> None:
        if not isinstance(elements, list):
            return
        for i, element in enumerate(elements):
            if not isinstance(element, Mapping):
                continue
            self.extensions(["sensorElementList", i], element, frozenset({"sensorMetadata", "sensorReport"}))
            path = ["sensorElementList", i, "sensorMetadata"]
            self.extensions(path, element.get("sensorMetadata"), _METADATA_FIELDS)
            reports = element.get("sensorReport")
            for j, report in enumerate(reports if isinstance(reports, list) else []):
                if not isinstance(report, Mapping):
                    continue
                path = ["sensorElementList", i, "sensorReport", j]
                self.extensions(path, report, _REPORT_FIELDS)
                for field, vocab in (
                    ("type", cbv.MEASUREMENT_TYPE),
                    ("exception", cbv.SENSOR_EXCEPTION),
                    ("component", cbv.COMPONENT),
                ):
                    if field in report:
                        self.vocab([*path, field], report[field], vocab)


def _merge(own: list[Problem], schema: list[Problem]) -> list[Problem]:
    """One problem per field: ours (clearer) before the schema's, the schema's first one otherwise."""
    by_pointer: dict[str, Problem] = {}
    for problem in own + schema:
        by_pointer.setdefault(problem.pointer, problem)
    return sorted(by_pointer.values(), key=lambda p: p.pointer)


# --- public API ---------------------------------------------------------------------------------------------


def validate_event(event: Any, context: Any = None, index: int | None = None) -> list[Problem]:
    """Problems of one event; ``context`` is the document's ``@context`` (or an ``EpcisContext``).

    A standalone event (``POST /epcis/events``) passes its own ``@context`` — or ``None`` when it has none,
    which is then reported.
    """
    if not isinstance(event, Mapping):
        return [Problem(index, "", "an event must be a JSON object")]
    compiled = _compiled()
    if schema_accepts(event, compiled.spec):
        schema = []
    else:
        kind = event.get("type")
        validator = compiled.events.get(kind if isinstance(kind, str) else "", compiled.events[""])
        schema = _schema_problems(validator.iter_errors(event), index)
    if context is None and "@context" not in event:
        schema.append(Problem(index, "/@context", "@context is required"))
    ctx = EpcisContext.of(context)
    if "@context" in event:
        ctx = ctx.extend(event["@context"])
    checker = _Checker(ctx, index)
    checker.event(event)
    return _merge(checker.problems, schema)


def validate_document(doc: Any) -> list[Problem]:
    """Problems of an EPCISDocument or EPCISQueryDocument: the document itself, then each event."""
    if not isinstance(doc, Mapping):
        return [Problem(None, "", "an EPCIS document must be a JSON object")]
    compiled = _compiled()
    # The event lists' items are only checked to be objects: when they all are, the shell need not
    # descend into them (one step per event) and finds the same problems.
    shell = compiled.bare_shell if _events_are_objects(doc) else compiled.shell
    problems = _schema_problems(shell.iter_errors(doc), None)
    context = doc.get("@context")
    if context is None:
        context = []  # reported above; still check the events against the standard prefixes
    ctx = EpcisContext.of(context)
    for i, event in enumerate(_event_list(doc)):
        problems.extend(validate_event(event, ctx, i))
    return problems


def _events_are_objects(doc: Mapping[str, Any]) -> bool:
    """Whether every entry of every event list the schema reaches (``epcisBody.eventList``,
    ``epcisBody.queryResults.resultsBody.eventList``) is a JSON object."""
    body = doc.get("epcisBody")
    if not isinstance(body, dict):
        return True
    lists = [body.get("eventList")]
    results = body.get("queryResults")
    if isinstance(results, dict) and isinstance(results.get("resultsBody"), dict):
        lists.append(results["resultsBody"].get("eventList"))
    return all(all(isinstance(e, dict) for e in found) for found in lists if isinstance(found, list))


def _event_list(doc: Mapping[str, Any]) -> list[Any]:
    """The events as written (non-objects included, so that indexes match the document)."""
    body = doc.get("epcisBody")
    if not isinstance(body, Mapping):
        return []
    events = body.get("eventList")
    if events is None and isinstance(body.get("queryResults"), Mapping):
        events = (body["queryResults"].get("resultsBody") or {}).get("eventList")
    return events if isinstance(events, list) else []
