"""Camera online rates (/r/video/uptime/) and workshops whose cameras are off now (/r/video/off/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from shilian.core.access import Perm
from shilian.core.htmx import render_page
from shilian.registry.workspace import inspector_page
from shilian.sunshine.access import cameras_for
from shilian.sunshine.forms import UptimeForm
from shilian.sunshine.queries.uptime import off_during_working_hours, online_rates
from shilian.sunshine.views.wall import area_filter


def _scoped(request: HttpRequest) -> tuple[list[Any], str, Any]:
    areas, chosen = area_filter(request)
    cameras = cameras_for(request.user, Perm.SUPERVISE)
    if chosen:
        prefix = next(area.prefix for area in areas if area.code == chosen)
        cameras = cameras.filter(enterprise__jurisdiction__code__startswith=prefix)
    return areas, chosen, cameras


@inspector_page
def uptime(request: HttpRequest) -> HttpResponse:
    areas, chosen, cameras = _scoped(request)
    form = UptimeForm(request.GET or None)
    start, end = form.period()
    table = online_rates(cameras, start, end)
    sections = [(_("Workshops"), table.by_enterprise), (_("Towns"), table.by_town)]
    context = {
        "areas": areas,
        "chosen": chosen,
        "form": form,
        "table": table,
        "sections": sections,
        "start": start,
        "end": end,
    }
    return render_page(request, "sunshine/uptime.html", context)


@inspector_page
def off_now(request: HttpRequest) -> HttpResponse:
    areas, chosen, cameras = _scoped(request)
    workshops = off_during_working_hours(cameras)
    return render_page(request, "sunshine/off_now.html", {"areas": areas, "chosen": chosen, "workshops": workshops})
