"""``/v/room/<token>/``: what the consumer page's production-room slot shows right now.

The lot's workshop's public processing-room cameras: live during working hours (online),
the still from within working hours otherwise; and "how this lot was made" (这批是怎么做的):
the recordings of its production (``recordings.making_of``) a consumer may play, as signed
links. A small page of its own, framed by the consumer page (same origin only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from shilian.chain.models import Lot
from shilian.sunshine.access import consumer_may_watch
from shilian.sunshine.actions.snapshots import refresh_public_still, still_jpeg
from shilian.sunshine.choices import CameraState, Room
from shilian.sunshine.consumer import lot_of_token
from shilian.sunshine.models import Camera
from shilian.sunshine.recordings import making_of
from shilian.sunshine.views.media import consumer_may_play, frame_version, recording_signature
from shilian.sunshine.views.ratelimit import ROOM_RATE, too_many

CAMERAS_SHOWN = 2


def _still(camera: Camera) -> dict[str, Any] | None:
    try:
        mtime = still_jpeg(camera.pk).stat().st_mtime
    except FileNotFoundError:
        return None
    return {
        "url": reverse("sunshine:consumer_still", args=[camera.pk]) + f"?v={int(mtime)}",
        "taken_at": dt.datetime.fromtimestamp(mtime, tz=dt.UTC),
    }


def room_view(lot: Lot, now: dt.datetime) -> dict[str, Any]:
    """The slot's content for a lot at ``now``: cameras (live or still) and the making-of segments."""
    cameras = list(
        Camera.objects.filter(
            enterprise_id=lot.enterprise_id, room=Room.PROCESSING, public=True, enabled=True
        ).order_by("pk")[:CAMERAS_SHOWN]
    )
    shown = []
    for camera in cameras:
        watch = consumer_may_watch(camera, now)
        if watch:
            refresh_public_still(camera, now=now)
        live = watch and camera.state == CameraState.ONLINE
        shown.append(
            {
                "camera": camera,
                "live": live,
                "watch": watch,
                "playlist": reverse("sunshine:live_playlist", args=[camera.pk]) if live else "",
                "poster": reverse("sunshine:latest_frame", args=[camera.pk]) + f"?v={frame_version(camera.pk)}"
                if live
                else "",
                "still": None if live else _still(camera),
            }
        )
    segments = [
        {
            "recording": recording,
            "url": reverse("sunshine:recording", args=[recording.pk]) + f"?s={recording_signature(recording)}",
        }
        for recording in making_of(lot)
        if consumer_may_play(recording)
    ]
    return {"cameras": shown, "segments": segments}


@xframe_options_sameorigin
@require_safe
def room(request: HttpRequest, token: str) -> HttpResponseBase:
    """The slot's page: ``?tab=live`` (the room) or ``?tab=making`` (how this lot was made)."""
    limited = too_many(request, "sunshine.room", ROOM_RATE)
    if limited is not None:
        return limited
    lot_id = lot_of_token(token)
    lot = Lot.objects.filter(pk=lot_id).first() if lot_id else None
    if lot is None:
        raise Http404("lot")
    context = room_view(lot, timezone.now())
    tab = request.GET.get("tab")
    if tab not in ("live", "making"):
        tab = "live" if context["cameras"] or not context["segments"] else "making"
    lang = "en" if request.GET.get("lang") == "en" else "zh-hans"
    context.update(
        tab=tab, lang=lang, html_lang="en" if lang == "en" else "zh-Hans", lang_query="&lang=en" if lang == "en" else ""
    )
    with translation.override(lang):
        response = HttpResponse(render_to_string("sunshine/room.html", context))
    response["Content-Language"] = context["html_lang"]
    response["Cache-Control"] = "no-cache"
    return response
