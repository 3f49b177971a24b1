"""Writing history rows, and the operation id that groups one request's rows."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from shilian.core.models import HistoryEntry

_operation: ContextVar[uuid.UUID | None] = ContextVar("shilian_operation", default=None)


def begin_operation() -> uuid.UUID:
    op = uuid.uuid4()
    _operation.set(op)
    return op


def end_operation() -> None:
    _operation.set(None)


def current_operation() -> uuid.UUID:
    return _operation.get() or uuid.uuid4()


def record(
    action: str,
    subject: Any,
    *,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    jurisdiction_code: str = "",
    **detail: Any,
) -> HistoryEntry:
    """Write one history row. Call it inside the action's transaction."""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return HistoryEntry.objects.create(
        acting_user_id=user.pk if user is not None else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        jurisdiction_code=jurisdiction_code,
        operation_id=current_operation(),
        detail=detail,
    )
