"""The EPCIS query parameters ``GET /epcis/events`` understands, read into one ``EventQuery``.

Values are pipe-delimited lists (``EQ_bizStep=receiving|shipping``); a parameter given
twice adds values. Identifiers may be EPC URNs, Digital Link URIs or ``urn:epc:idpat:``
patterns; CBV words may be bare, web URIs or URNs. An unknown parameter, a malformed
value or a standard parameter this repository does not evaluate is a
``QueryParameterException``: never silently ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Q

from shilian.core.epcis.cbv import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    DISPOSITION,
    ERROR_REASON,
    SOURCE_DEST_TYPE,
    Vocabulary,
)
from shilian.interop.choices import IdentifierRole as R
from shilian.interop.choices import SourceDestKind
from shilian.interop.identifiers import canonical, descendants_prefix, pattern_prefixes
from shilian.interop.models import EpcisBizTransaction, EpcisIdentifier, EpcisSourceDest
from shilian.interop.problems import EpcisProblem, query_parameter

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
ACTIONS = ("ADD", "OBSERVE", "DELETE")

# MATCH_ parameter → the roles whose identifiers it reads
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": (R.EPC, R.CHILD),
    "MATCH_parentID": (R.PARENT,),
    "MATCH_inputEPC": (R.INPUT,),
    "MATCH_outputEPC": (R.OUTPUT,),
    "MATCH_anyEPC": (R.EPC, R.PARENT, R.CHILD, R.INPUT, R.OUTPUT),
    "MATCH_epcClass": (R.QUANTITY, R.CHILD_QUANTITY),
    "MATCH_inputEPCClass": (R.INPUT_QUANTITY,),
    "MATCH_outputEPCClass": (R.OUTPUT_QUANTITY,),
    "MATCH_anyEPCClass": (R.QUANTITY, R.CHILD_QUANTITY, R.INPUT_QUANTITY, R.OUTPUT_QUANTITY),
}
QUANTITY_ROLES = (R.QUANTITY, R.CHILD_QUANTITY, R.INPUT_QUANTITY, R.OUTPUT_QUANTITY)
QUANTITY_OPS = {
    "EQ_quantity": "exact",
    "GT_quantity": "gt",
    "GE_quantity": "gte",
    "LT_quantity": "lt",
    "LE_quantity": "lte",
}
TIME_PARAMS = {
    "GE_eventTime": "event_time__gte",
    "LT_eventTime": "event_time__lt",
    "GE_recordTime": "record_time__gte",
    "LT_recordTime": "record_time__lt",
    "GE_errorDeclarationTime": "error_declared_at__gte",
    "LT_errorDeclarationTime": "error_declared_at__lt",
}
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}
PAGING = ("perPage", "nextPageToken")
# standard parameters this repository does not evaluate: refused by name, not ignored
UNSUPPORTED = (
    "EQ_persistentDisposition_set",
    "EQ_persistentDisposition_unset",
    "EQ_correctiveEventID",
    "GE_startTime",
    "LT_startTime",
    "GE_endTime",
    "LT_endTime",
    "EQ_type",
    "EQ_deviceID",
    "EQ_dataProcessingMethod",
    "EQ_microorganism",
    "EQ_chemicalSubstance",
    "EQ_bizRules",
    "EQ_stringValue",
    "EQ_hexBinaryValue",
    "EQ_uriValue",
    "EQ_booleanValue",
)


@dataclass
class EventQuery:
    """What to select (``where``, ANDed), in which order, and how much."""

    where: list[Q] = field(default_factory=list)
    order_field: str = "pk"  # pk (capture order), event_time or record_time
    descending: bool = False
    per_page: int = DEFAULT_PER_PAGE
    next_page_token: str = ""
    event_count_limit: int | None = None
    max_event_count: int | None = None
    # the parameters that select (not paging), sorted: a page token is only good for them
    fingerprint: tuple[tuple[str, tuple[str, ...]], ...] = ()


def parse_time(name: str, value: str) -> dt.datetime:
    """An RFC 3339 time with an offset (``Z`` or ``±hh:mm``); a ``+`` that a query string
    turned into a space is read back as ``+``."""
    text = value.strip().replace(" ", "+")
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise query_parameter(
            name, f"{value!r} is not a date-time (RFC 3339, e.g. 2024-05-01T08:00:00+08:00)"
        ) from None
    if when.tzinfo is None:
        raise query_parameter(name, f"{value!r} has no time zone offset (add Z or +08:00)")
    return when


def _word(vocabulary: Vocabulary, value: str) -> str:
    """A CBV value as stored: the bare standard word, else the value itself (a user URI)."""
    return vocabulary.word(value) or value


def _values(name: str, raw: Sequence[str]) -> list[str]:
    out = [v.strip() for item in raw for v in item.split("|")]
    if not out or any(not v for v in out):
        raise query_parameter(name, "empty value")
    return out


def _one(name: str, raw: Sequence[str]) -> str:
    values = [v.strip() for v in raw]
    if len(values) != 1 or not values[0]:
        raise query_parameter(name, "expected exactly one value")
    return values[0]


def _int(name: str, raw: Sequence[str], *, low: int = 1, high: int | None = None) -> int:
    text = _one(name, raw)
    try:
        n = int(text)
    except ValueError:
        raise query_parameter(name, f"{text!r} is not an integer") from None
    if n < low or (high is not None and n > high):
        raise query_parameter(name, f"must be between {low} and {high}" if high else f"must be at least {low}")
    return n


def _prefix_q(column: str, prefix: str) -> Q:
    """Values of ``column`` starting with ``prefix``. A range on the index where strings sort
    by code point (SQLite's BINARY collation); ``LIKE`` on PostgreSQL, whose collation may
    not (an index range would then miss rows)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__startswith": prefix})
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + "\U0010ffff"})


def _identifier_q(name: str, values: list[str], roles: Sequence[str]) -> Q:
    """Events with an identifier, in one of ``roles``, equal to a value or matching a pattern."""
    exact: list[str] = []
    q = Q(pk__in=[])
    for value in values:
        prefixes = pattern_prefixes(value)
        if prefixes is None:
            exact.append(canonical(value))
            continue
        if not prefixes:
            raise query_parameter(name, f"{value!r} is not an EPC pattern this repository can match")
        exact.append(canonical(value))
        for prefix in prefixes:
            q |= _prefix_q("value", prefix)
    if exact:
        q |= Q(value__in=exact)
    rows = EpcisIdentifier.objects.filter(q, role__in=list(roles)).values("event_id")
    return Q(pk__in=rows)


def _location_q(name: str, column: str, values: list[str], *, with_descendants: bool) -> Q:
    exact = [canonical(v) for v in values]
    q = Q(**{f"{column}__in": exact})
    if with_descendants:
        for value in exact:
            prefix = descendants_prefix(value)
            if prefix:
                q |= _prefix_q(column, prefix)
    return q


def _side_q(model_name: str, kind: str | None, type_: str, values: list[str]) -> Q:
    canon = [canonical(v) for v in values]
    if model_name == "bizTransaction":
        txns = EpcisBizTransaction.objects.filter(type=_word(BIZ_TRANSACTION_TYPE, type_), value__in=canon)
        return Q(pk__in=txns.values("event_id"))
    sides = EpcisSourceDest.objects.filter(kind=kind, type=_word(SOURCE_DEST_TYPE, type_), value__in=canon)
    return Q(pk__in=sides.values("event_id"))


def _bool(name: str, raw: Sequence[str]) -> bool:
    values = [v.strip().lower() for v in raw]
    if all(v in ("", "true") for v in values):
        return True
    if all(v == "false" for v in values):
        return False
    raise query_parameter(name, "expected true or false")


def parse(params: Mapping[str, Sequence[str]]) -> EventQuery:
    """Read the query string (parameter → its raw values); EpcisProblem when it is wrong."""
    query = EventQuery()
    selecting: list[tuple[str, tuple[str, ...]]] = []
    order_by = order_direction = None
    for name in sorted(params):
        raw = list(params[name])
        if name not in PAGING:
            selecting.append((name, tuple(raw)))
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(query, name, raw)
        elif name in QUANTITY_OPS:
            query.where.append(_quantity_q(name, raw))
        elif name.startswith("EQ_bizTransaction_") and len(name) > len("EQ_bizTransaction_"):
            query.where.append(_side_q("bizTransaction", None, name[len("EQ_bizTransaction_") :], _values(name, raw)))
        elif name.startswith("EQ_source_") and len(name) > len("EQ_source_"):
            type_ = name[len("EQ_source_") :]
            query.where.append(_side_q("sourceDest", SourceDestKind.SOURCE, type_, _values(name, raw)))
        elif name.startswith("EQ_destination_") and len(name) > len("EQ_destination_"):
            type_ = name[len("EQ_destination_") :]
            query.where.append(_side_q("sourceDest", SourceDestKind.DESTINATION, type_, _values(name, raw)))
        elif name == "orderBy":
            order_by = _one(name, raw)
            if order_by not in ORDER_FIELDS:
                raise query_parameter(name, f"{order_by!r}: this repository orders by eventTime or recordTime")
        elif name == "orderDirection":
            order_direction = _one(name, raw)
            if order_direction not in ("ASC", "DESC"):
                raise query_parameter(name, f"{order_direction!r}: expected ASC or DESC")
        elif name in UNSUPPORTED:
            raise query_parameter(name, "this repository does not evaluate this parameter")
        else:
            raise query_parameter(name, "unknown query parameter")
    if order_by is not None:
        query.order_field = ORDER_FIELDS[order_by]
        query.descending = order_direction != "ASC"  # EPCIS: DESC unless told otherwise
    elif order_direction is not None:
        raise query_parameter("orderDirection", "needs orderBy")
    if query.event_count_limit is not None and query.max_event_count is not None:
        raise query_parameter("eventCountLimit", "eventCountLimit and maxEventCount exclude each other")
    if query.event_count_limit is not None and order_by is None:
        raise query_parameter("eventCountLimit", "needs orderBy")
    query.fingerprint = tuple(selecting)
    return query


def _quantity_q(name: str, raw: Sequence[str]) -> Q:
    text = _one(name, raw)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise query_parameter(name, f"{text!r} is not a number") from None
    if not amount.is_finite():
        raise query_parameter(name, f"{text!r} is not a number")
    rows = EpcisIdentifier.objects.filter(role__in=list(QUANTITY_ROLES), **{f"quantity__{QUANTITY_OPS[name]}": amount})
    return Q(pk__in=rows.values("event_id"))


def _event_type(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    values = _values(name, raw)
    for value in values:
        if value not in EVENT_TYPES and ":" not in value:
            raise query_parameter(name, f"{value!r} is no EPCIS event type ({', '.join(EVENT_TYPES)} or a URI)")
    query.where.append(Q(event_type__in=values))


def _time(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.where.append(Q(**{TIME_PARAMS[name]: parse_time(name, _one(name, raw))}))


def _action(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    values = _values(name, raw)
    for value in values:
        if value not in ACTIONS:
            raise query_parameter(name, f"{value!r}: expected ADD, OBSERVE or DELETE")
    query.where.append(Q(action__in=values))


def _vocabulary(column: str, vocabulary: Vocabulary) -> Callable[[EventQuery, str, Sequence[str]], None]:
    def handler(query: EventQuery, name: str, raw: Sequence[str]) -> None:
        query.where.append(Q(**{f"{column}__in": [_word(vocabulary, v) for v in _values(name, raw)]}))

    return handler


def _location(column: str, *, with_descendants: bool) -> Callable[[EventQuery, str, Sequence[str]], None]:
    def handler(query: EventQuery, name: str, raw: Sequence[str]) -> None:
        query.where.append(_location_q(name, column, _values(name, raw), with_descendants=with_descendants))

    return handler


def _match(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.where.append(_identifier_q(name, _values(name, raw), MATCH_ROLES[name]))


def _event_id(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.where.append(Q(event_id__in=_values(name, raw)))


def _transformation_id(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.where.append(Q(transformation_id__in=_values(name, raw)))


def _error_declaration(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    if _bool(name, raw):
        query.where.append(Q(has_error_declaration=True))


def _error_reason(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.where.append(Q(error_reason__in=[_word(ERROR_REASON, v) for v in _values(name, raw)]))


def _per_page(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.per_page = _int(name, raw, high=MAX_PER_PAGE)


def _token(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.next_page_token = _one(name, raw)


def _count_limit(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.event_count_limit = _int(name, raw)


def _max_count(query: EventQuery, name: str, raw: Sequence[str]) -> None:
    query.max_event_count = _int(name, raw)


_HANDLERS: dict[str, Callable[[EventQuery, str, Sequence[str]], None]] = {
    "eventType": _event_type,
    **dict.fromkeys(TIME_PARAMS, _time),
    "EQ_action": _action,
    "EQ_bizStep": _vocabulary("biz_step", BIZ_STEP),
    "EQ_disposition": _vocabulary("disposition", DISPOSITION),
    "EQ_readPoint": _location("read_point", with_descendants=False),
    "WD_readPoint": _location("read_point", with_descendants=True),
    "EQ_bizLocation": _location("biz_location", with_descendants=False),
    "WD_bizLocation": _location("biz_location", with_descendants=True),
    "EQ_transformationID": _transformation_id,
    **dict.fromkeys(MATCH_ROLES, _match),
    "EQ_eventID": _event_id,
    "EXISTS_errorDeclaration": _error_declaration,
    "EQ_errorReason": _error_reason,
    "perPage": _per_page,
    "nextPageToken": _token,
    "eventCountLimit": _count_limit,
    "maxEventCount": _max_count,
}

__all__ = ["EpcisProblem", "EventQuery", "parse", "parse_time"]
