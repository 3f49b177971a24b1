"""The scan app's access funnel: scans, consumer reports and flags, for inspectors.

Each row carries the producing enterprise's division code, so an inspector's subtree
is a prefix filter on the row itself (no join). Operators do not see these pages yet.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.registry.access import scope_for
from shilian.scan.models import ConsumerReport, CounterfeitFlag, Scan


def supervised(user: Any) -> Q:
    """Rows of enterprises in the user's jurisdiction subtree (all rows for an admin)."""
    return scope_for(user).q(Perm.SUPERVISE, enterprise_field="enterprise", division_field="jurisdiction_code")


def scans_for(user: Any) -> Any:
    return Scan.objects.filter(supervised(user))


def reports_for(user: Any) -> Any:
    return ConsumerReport.objects.filter(supervised(user))


def flags_for(user: Any) -> Any:
    return CounterfeitFlag.objects.filter(supervised(user))


def access_report(user: Any, pk: int | str) -> ConsumerReport:
    """The report, if in the user's jurisdiction; one NotFoundError for missing and forbidden."""
    try:
        return reports_for(user).select_related("lot", "enterprise").get(pk=int(pk))
    except (ConsumerReport.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("report") from None
