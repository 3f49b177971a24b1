"""nginx-rtmp's HTTP callbacks (production push ingest, ``deploy/nginx/rtmp.conf``).

nginx-rtmp POSTs a form (``app``, ``name`` = the stream name, ``addr``, ``tcurl``, ``call`` …)
on every publish and when it ends. ``on_publish`` answers 200 when ``name`` is the stream key
of an enabled push camera, else 403 and nginx drops the publisher; ``on_publish_done``
records that the push ended. Only nginx may call them: the request must come from the
loopback address, or carry ``SHILIAN_RTMP_HOOK_SECRET`` (setting or environment) as its
``secret`` query parameter when nginx runs on another host.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shilian.sunshine.actions.state import record_publish, record_publish_done
from shilian.sunshine.choices import Ingest
from shilian.sunshine.models import Camera
from shilian.sunshine.views.ratelimit import too_many

HOOK_RATE = "600/m"
_LOOPBACK = {"127.0.0.1", "::1"}


def _hook_secret() -> str:
    return str(getattr(settings, "SHILIAN_RTMP_HOOK_SECRET", "") or os.environ.get("SHILIAN_RTMP_HOOK_SECRET", ""))


def _from_nginx(request: HttpRequest) -> bool:
    secret = _hook_secret()
    if secret:
        return hmac.compare_digest(request.GET.get("secret", ""), secret)
    return request.META.get("REMOTE_ADDR") in _LOOPBACK and "HTTP_X_REAL_IP" not in request.META


def _camera(request: HttpRequest) -> Camera | None:
    key = request.POST.get("name", "").split("?", 1)[0].strip()
    if not key or len(key) > 64:
        return None
    return Camera.objects.filter(stream_key=key, ingest=Ingest.PUSH, enabled=True).first()


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def on_publish(request: HttpRequest) -> HttpResponse:
    if limited := too_many(request, "rtmp_hook", HOOK_RATE):
        return limited
    if not _from_nginx(request):
        return _text(403, "forbidden")
    camera = _camera(request)
    if camera is None:
        return _text(403, "unknown stream key / 推流密钥错误")
    record_publish(camera, addr=request.POST.get("addr", "")[:60])
    return _text(200, "ok")


@csrf_exempt
@require_POST
def on_publish_done(request: HttpRequest) -> HttpResponse:
    if limited := too_many(request, "rtmp_hook", HOOK_RATE):
        return limited
    if not _from_nginx(request):
        return _text(403, "forbidden")
    camera = _camera(request)
    if camera is not None:
        record_publish_done(camera)
    return _text(200, "ok")
