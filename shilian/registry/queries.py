"""Registry reads: an enterprise's staff and the state of their health certificates (健康证).

Food handlers must hold a valid health certificate. A certificate is ``expired`` once its
expiry date has passed, ``expiring`` from CERTIFICATE_WARNING_DAYS before it (the expiry
day itself included), ``valid`` before that, and ``missing`` when no expiry date is known.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from shilian.registry.access import enterprise_filter
from shilian.registry.models import Enterprise, StaffMember

CERTIFICATE_WARNING_DAYS = 30


def certificate_status(expires: dt.date | None, today: dt.date) -> str:
    """The rule in Python, for one certificate (the API); ``staff_of`` applies it in SQL."""
    if expires is None:
        return "missing"
    if expires < today:
        return "expired"
    if expires <= today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS):
        return "expiring"
    return "valid"


def _warning_filters(today: dt.date) -> dict[str, Q]:
    soon = today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
    return {
        "expired": Q(health_certificate_expires__lt=today),
        "expiring": Q(health_certificate_expires__gte=today, health_certificate_expires__lte=soon),
    }


def staff_of(user: Any, enterprise: Enterprise, perm: str, *, today: dt.date) -> QuerySet[StaffMember]:
    """The enterprise's active staff, if the user may ``perm`` it (none otherwise), by name.

    Each row carries ``certificate_status``: missing, expired, expiring or valid.
    """
    filters = _warning_filters(today)
    return (
        StaffMember.objects.filter(enterprise_filter(user, perm, prefix="enterprise__"))
        .filter(enterprise=enterprise, active=True)
        .annotate(
            certificate_status=Case(
                When(health_certificate_expires__isnull=True, then=Value("missing")),
                When(filters["expired"], then=Value("expired")),
                When(filters["expiring"], then=Value("expiring")),
                default=Value("valid"),
                output_field=CharField(),
            )
        )
        .order_by("name", "pk")
    )


def certificate_warnings(staff: QuerySet[StaffMember], *, today: dt.date) -> dict[str, int]:
    """How many of ``staff`` hold an expired certificate, and how many one expiring soon (one query)."""
    filters = _warning_filters(today)
    return staff.aggregate(
        expired=Count("pk", filter=filters["expired"]),
        expiring=Count("pk", filter=filters["expiring"]),
    )
