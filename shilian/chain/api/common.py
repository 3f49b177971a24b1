"""What the chain's endpoints share: reading times, finding lots by reference, event rows."""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from pydantic import BaseModel

from shilian.chain.access import find_lot, find_lot_id
from shilian.chain.models import EventLine, Lot, TraceEvent
from shilian.core.access import Perm
from shilian.core.api import invalid
from shilian.core.errors import NotFoundError


def when(value: dt.datetime | None) -> dt.datetime:
    """The time an event happened: now when not given, the site's zone when naive."""
    if value is None:
        return timezone.now()
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def local(value: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    """An aware time in the site's zone, so that it is written with its local offset."""
    return value.astimezone(tz) if value is not None else None


def json_response(model: BaseModel) -> HttpResponse:
    """A large answer serialised by pydantic in one pass (the schema stays in OpenAPI)."""
    return HttpResponse(model.model_dump_json(by_alias=True), content_type="application/json")


def find(user: Any, ref: str, perm: str = Perm.VIEW, *, field: str) -> Lot:
    """A lot by id, EPC class URI or Digital Link URI; errors name ``field``."""
    try:
        return find_lot(user, ref, perm)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None
    except NotFoundError as exc:
        exc.field = field
        raise


def find_id(user: Any, ref: str, perm: str = Perm.VIEW, *, field: str) -> int:
    """``find`` for endpoints that need only the lot's id (trace, impact): a narrower read."""
    try:
        return find_lot_id(user, ref, perm)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None
    except NotFoundError as exc:
        exc.field = field
        raise


def with_event_detail(qs: QuerySet[TraceEvent]) -> QuerySet[TraceEvent]:
    """Everything ``EventOut`` shows, in a fixed number of queries whatever the row count."""
    return qs.select_related("enterprise", "partner", "counterparty", "recorded_by").annotate(
        is_voided=Exists(TraceEvent.objects.filter(voids=OuterRef("pk")))
    ).prefetch_related(
        Prefetch("lines", queryset=EventLine.objects.select_related("lot").order_by("pk")),
        "documents",
    )


def event_out(event: TraceEvent) -> TraceEvent:
    """The event re-read with everything ``EventOut`` shows (after an access check or a write)."""
    return with_event_detail(TraceEvent.objects.filter(pk=event.pk)).get()
