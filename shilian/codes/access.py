"""The codes app's access funnel: label jobs belong to the enterprise that printed them."""

from __future__ import annotations

from typing import Any

from shilian.codes.models import LabelJob
from shilian.core.access import Perm
from shilian.core.errors import NotFoundError
from shilian.registry.access import can, enterprise_filter


def label_jobs_for(user: Any) -> Any:
    return LabelJob.objects.filter(enterprise_filter(user, Perm.OPERATE, prefix="enterprise__"))


def access_label_job(user: Any, pk: int | str) -> LabelJob:
    """The job, if the user may operate its enterprise; one NotFoundError for missing and forbidden."""
    try:
        job = LabelJob.objects.select_related("lot", "enterprise", "serial_range").get(pk=int(pk))
    except (LabelJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("label job") from None
    if not can(user, Perm.OPERATE, job.enterprise):
        raise NotFoundError("label job")
    return job
