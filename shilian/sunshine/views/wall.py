"""The inspectors' video wall (/r/video/): snapshot tiles refreshed by polling, click for live."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import paginate, render_page
from shilian.registry.access import jurisdictions_for
from shilian.registry.workspace import inspector_page
from shilian.sunshine.access import access_camera, cameras_for
from shilian.sunshine.actions.snapshots import take_snapshot
from shilian.sunshine.choices import CameraState, SnapshotPurpose
from shilian.sunshine.models import Camera
from shilian.sunshine.views.cameras import camera_context
from shilian.sunshine.views.media import frame_version

TILES_PER_PAGE = 24
REFRESH_SECONDS = 5


def tone(camera: Camera) -> str:
    """The tile's status colour: ok (online), warn (black or frozen), off, or idle."""
    if not camera.enabled:
        return "idle"
    if camera.state == CameraState.ONLINE:
        return "warn" if camera.black or camera.frozen else "ok"
    if camera.state in (CameraState.UNKNOWN, CameraState.STARTING):
        return "idle"
    return "off"


def area_filter(request: HttpRequest) -> tuple[list[Any], str]:
    """The areas the inspector may pick and the one picked (``?area=``), '' for all of theirs."""
    areas = jurisdictions_for(request.user)
    chosen = request.GET.get("area", "")
    if chosen not in {area.code for area in areas}:
        chosen = ""
    return areas, chosen


@inspector_page
def video_wall(request: HttpRequest) -> HttpResponse:
    areas, chosen = area_filter(request)
    cameras = cameras_for(request.user, Perm.SUPERVISE).filter(enabled=True)
    if chosen:
        prefix = next(area.prefix for area in areas if area.code == chosen)
        cameras = cameras.filter(enterprise__jurisdiction__code__startswith=prefix)
    if request.GET.get("problems"):
        cameras = cameras.exclude(state=CameraState.ONLINE, black=False, frozen=False)
    page = paginate(
        request,
        cameras.select_related("enterprise").order_by("enterprise__name", "enterprise_id", "room", "pk"),
        TILES_PER_PAGE,
    )
    tiles = [{"camera": camera, "tone": tone(camera), "version": frame_version(camera.pk)} for camera in page]
    context = {
        "areas": areas,
        "chosen": chosen,
        "page": page,
        "tiles": tiles,
        "refresh": REFRESH_SECONDS,
        "problems": bool(request.GET.get("problems")),
    }
    return render_page(request, "sunshine/wall.html", context, partial="tiles")


@inspector_page
def inspector_camera(request: HttpRequest, pk: int) -> HttpResponse:
    camera = access_camera(request.user, pk, Perm.SUPERVISE)
    return render_page(request, "sunshine/camera_detail.html", camera_context(camera, operator=False))


@inspector_page
@require_POST
def inspector_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the camera's current frame (by hand, outside a patrol)."""
    camera = access_camera(request.user, pk, Perm.SUPERVISE)
    try:
        take_snapshot(camera, purpose=SnapshotPurpose.MANUAL, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Snapshot kept."))
    return redirect("sunshine:inspector_camera", pk=camera.pk)
