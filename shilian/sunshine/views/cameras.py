"""The workshop's cameras (/w/cameras/): list, add, change, renew a push key, watch live."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shilian.core.access import Perm
from shilian.core.errors import DomainError
from shilian.core.htmx import apply_domain_error, render_page
from shilian.registry.models import Enterprise
from shilian.registry.workspace import operator_page
from shilian.sunshine.access import access_camera, cameras_for, within_working_hours
from shilian.sunshine.actions.cameras import create_camera, renew_stream_key, update_camera, without_password
from shilian.sunshine.choices import Ingest
from shilian.sunshine.forms import CameraForm
from shilian.sunshine.models import Camera
from shilian.sunshine.video.command import push_port
from shilian.sunshine.video.config import VideoConfig
from shilian.sunshine.views.media import frame_version

OUTAGES_SHOWN = 10


def push_url(camera: Camera) -> str:
    """Where a push camera (or its edge box) publishes: the platform's RTMP ingest with the key.

    Embedded mode: the camera's own listener port (``SHILIAN_RTMP_PORT_BASE`` + camera id),
    the key as the RTMP application; nginx mode: the nginx-rtmp ``live`` application with
    the key as the stream name. The host is the platform's public one (``SHILIAN_PUBLIC_URL``).
    """
    config = VideoConfig.from_settings()
    host = urlsplit(settings.SHILIAN_PUBLIC_URL).hostname or "127.0.0.1"
    if config.rtmp_ingest == "nginx":
        ingest = urlsplit(config.nginx_rtmp_url)
        port = f":{ingest.port}" if ingest.port else ""
        return f"rtmp://{host}{port}{ingest.path.rstrip('/')}/{camera.stream_key}"
    return f"rtmp://{host}:{push_port(camera.pk, config)}/{camera.stream_key}/live"


def _camera_in(enterprise: Enterprise, request: HttpRequest, pk: int) -> Camera:
    camera = access_camera(request.user, pk, Perm.OPERATE)
    if camera.enterprise_id != enterprise.pk:  # the operator of several: this session's enterprise only
        access_camera(request.user, 0, Perm.OPERATE)  # the one not-found answer
    return camera


@operator_page
def camera_list(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    cameras = list(cameras_for(request.user, Perm.OPERATE).filter(enterprise=enterprise).order_by("room", "name", "pk"))
    rows = [
        {"camera": camera, "version": frame_version(camera.pk), "hours": within_working_hours(camera)}
        for camera in cameras
    ]
    return render_page(request, "sunshine/camera_list.html", {"enterprise": enterprise, "rows": rows})


@operator_page
@require_http_methods(["GET", "POST"])
def camera_create(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    form = CameraForm(request.POST or None, initial=CameraForm.initial_for(None))
    if request.method == "POST" and form.is_valid():
        try:
            camera = create_camera(enterprise, form.spec(), acting_user=request.user)
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Camera added."))
            return redirect("sunshine:camera_detail", pk=camera.pk)
    return render_page(request, "sunshine/camera_form.html", {"enterprise": enterprise, "form": form, "camera": None})


@operator_page
@require_http_methods(["GET", "POST"])
def camera_edit(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    camera = _camera_in(enterprise, request, pk)
    form = CameraForm(request.POST or None, initial=CameraForm.initial_for(camera))
    if request.method == "POST" and form.is_valid():
        try:
            update_camera(camera, form.spec(), acting_user=request.user)
        except DomainError as exc:
            apply_domain_error(exc, form)
        else:
            messages.success(request, _("Camera saved."))
            return redirect("sunshine:camera_detail", pk=camera.pk)
    return render_page(request, "sunshine/camera_form.html", {"enterprise": enterprise, "form": form, "camera": camera})


@operator_page
@require_POST
def camera_renew_key(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    camera = _camera_in(enterprise, request, pk)
    renew_stream_key(camera, acting_user=request.user)
    messages.success(
        request, _("New stream key made: enter the new push address in the camera; the old one no longer works.")
    )
    return redirect("sunshine:camera_detail", pk=camera.pk)


@operator_page
def camera_detail(request: HttpRequest, enterprise: Enterprise, pk: int) -> HttpResponse:
    camera = _camera_in(enterprise, request, pk)
    return render_page(
        request, "sunshine/camera_detail.html", camera_context(camera, enterprise=enterprise, operator=True)
    )


def camera_context(camera: Camera, **extra: Any) -> dict[str, Any]:
    """What the camera page shows: state, live player, outages, recent recordings."""
    return {
        "camera": camera,
        "push_url": push_url(camera) if camera.ingest == Ingest.PUSH else "",
        "source_url": without_password(camera.source_url),
        "hours": within_working_hours(camera),
        "version": frame_version(camera.pk),
        "outages": list(camera.outages.order_by("-started_at")[:OUTAGES_SHOWN]),
        "recordings": list(camera.recordings.order_by("-started_at")[:10]),
        **extra,
    }
