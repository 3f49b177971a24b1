"""Reading traceability events (追溯事件)."""

import datetime as dt
from typing import Annotated, Any

from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from shilian.chain.access import access_event, events_for
from shilian.chain.api.common import event_out, when, with_event_detail
from shilian.chain.choices import EventType
from shilian.chain.schemas import EventOut
from shilian.core.api import PROBLEMS, ApiRequest

router = Router(tags=["chain 追溯事件"])


@router.get("/events", response={200: list[EventOut], **PROBLEMS})
@paginate(LimitOffsetPagination)
def list_events(
    request: ApiRequest,
    enterprise: int | None = None,
    event_type: Annotated[EventType | None, Query(alias="type")] = None,
    since: Annotated[dt.datetime | None, Query(description="events that happened at or after this time")] = None,
) -> Any:
    """Events of the enterprises the user may view, newest first."""
    qs = events_for(request.auth)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if since is not None:
        qs = qs.filter(occurred_at__gte=when(since))
    return with_event_detail(qs).order_by("-occurred_at", "-pk")


@router.get("/events/{int:event_id}", response={200: EventOut, **PROBLEMS})
def get_event(request: ApiRequest, event_id: int) -> Any:
    return event_out(access_event(request.auth, event_id))
