"""The interop access funnel: which stored EPCIS events and capture jobs a user reaches,
and for which enterprises they may capture.

An operator sees its enterprises' events, an inspector those of enterprises in their
jurisdiction, an admin every event (also those that name no enterprise on the platform).
Capturing records events as an enterprise: an operator of it, or an admin.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.interop.models import CaptureJob, EpcisEvent
from shilian.registry.access import enterprise_filter, scope_for


def epcis_event_filter(user: Any) -> Q:
    return enterprise_filter(user, Perm.VIEW, prefix="enterprise__")


def events_for(user: Any) -> Any:
    """The stored EPCIS events the user may read."""
    return EpcisEvent.objects.filter(epcis_event_filter(user))


def access_epcis_event(user: Any, event_id: str) -> list[EpcisEvent]:
    """The event with this ``eventID`` and its error declaration, if any (EPCIS returns both);
    one NotFoundError for missing and hidden."""
    rows = list(events_for(user).filter(event_id=event_id).order_by("has_error_declaration", "pk"))
    if not rows:
        raise NotFoundError("event")
    return rows


def may_capture(user: Any) -> bool:
    """Whether the user may capture at all: an admin, or an operator of some enterprise."""
    scope = scope_for(user)
    return scope.is_admin or scope.is_operator


def may_capture_for(user: Any, enterprise_id: int | None) -> bool:
    """Whether the user may record events as ``enterprise_id`` (None: no enterprise, admins only)."""
    scope = scope_for(user)
    if scope.is_admin:
        return True
    return enterprise_id is not None and enterprise_id in scope.enterprise_ids


def capture_jobs_for(user: Any) -> Any:
    """Capture jobs the user started (an admin: all of them)."""
    if scope_for(user).is_admin:
        return CaptureJob.objects.all()
    if user is None or not user.is_authenticated:
        return CaptureJob.objects.none()
    return CaptureJob.objects.filter(created_by=user)


def access_capture_job(user: Any, pk: int | str) -> CaptureJob:
    try:
        return capture_jobs_for(user).get(pk=int(pk))
    except (CaptureJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("capture job") from None
