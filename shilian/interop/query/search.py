"""Running an ``EventQuery`` for a user: the scoped, filtered, ordered page of events and
the token of the next page.

Paging is by key (the order field and the row id of the last event sent), so a page
token stays good while events are added: new events come after it in capture order, or
in their place by time. The token is signed, carries the query it belongs to, and is
refused with any other query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Q

from shilian.interop.access import events_for
from shilian.interop.problems import EpcisProblem, Exc, query_parameter
from shilian.interop.query.params import EventQuery

_SALT = "shilian.interop.page"


@dataclass
class Page:
    """One page: (body, context) per event, and the token of the next page (None: the last)."""

    rows: list[tuple[dict[str, Any], list[Any]]]
    next_token: str | None


def _fingerprint(query: EventQuery) -> str:
    return hashlib.sha256(json.dumps(query.fingerprint).encode()).hexdigest()[:16]


def _read_token(query: EventQuery) -> tuple[Any, int, int] | None:
    """(order value, last id, events sent so far) of the page token, if one was given."""
    if not query.next_page_token:
        return None
    try:
        data = signing.loads(query.next_page_token, salt=_SALT)
        if data["q"] != _fingerprint(query):
            raise ValueError("token of another query")
        value = dt.datetime.fromisoformat(data["v"]) if data["v"] is not None else None
        return value, int(data["k"]), int(data["n"])
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise query_parameter("nextPageToken", "invalid or for another query") from None


def _token(query: EventQuery, value: Any, pk: int, sent: int) -> str:
    data = {"q": _fingerprint(query), "v": value.isoformat() if value is not None else None, "k": pk, "n": sent}
    return signing.dumps(data, salt=_SALT, compress=True)


def _after(query: EventQuery, value: Any, pk: int) -> Q:
    """Rows after (order value, pk) in the query's order."""
    if query.order_field == "pk":
        return Q(pk__lt=pk) if query.descending else Q(pk__gt=pk)
    op = "lt" if query.descending else "gt"
    return Q(**{f"{query.order_field}__{op}": value}) | Q(**{query.order_field: value, f"pk__{op}": pk})


def run(user: Any, query: EventQuery) -> Page:
    qs = events_for(user)
    for where in query.where:
        qs = qs.filter(where)
    if query.max_event_count is not None and not query.next_page_token:
        count = qs.count()
        if count > query.max_event_count:
            raise EpcisProblem(
                Exc.QUERY_TOO_LARGE, 413, f"{count} events match, more than maxEventCount={query.max_event_count}"
            )
    position = _read_token(query)
    sent = 0
    if position is not None:
        value, pk, sent = position
        qs = qs.filter(_after(query, value, pk))
    limit = query.per_page
    if query.event_count_limit is not None:
        limit = min(limit, query.event_count_limit - sent)
        if limit <= 0:
            return Page([], None)
    sign = "-" if query.descending else ""
    order = [f"{sign}pk"] if query.order_field == "pk" else [f"{sign}{query.order_field}", f"{sign}pk"]
    fields = ["pk", "body", "context"] + ([query.order_field] if query.order_field != "pk" else [])
    rows = list(qs.order_by(*order).values_list(*fields)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if query.event_count_limit is not None and sent + len(rows) >= query.event_count_limit:
        more = False
    next_token = None
    if more and rows:
        last = rows[-1]
        next_token = _token(query, last[3] if len(last) > 3 else None, last[0], sent + len(rows))
    return Page([(row[1], row[2]) for row in rows], next_token)
