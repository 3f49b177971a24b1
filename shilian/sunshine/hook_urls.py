"""nginx-rtmp's callbacks (production push ingest): see hooks.py and deploy/nginx/rtmp.conf."""

from django.urls import URLPattern, path

from shilian.sunshine import hooks

urlpatterns: list[URLPattern] = [
    path("hooks/rtmp/publish", hooks.on_publish, name="rtmp_publish"),
    path("hooks/rtmp/publish-done", hooks.on_publish_done, name="rtmp_publish_done"),
]
