from django.urls import path

from shilian.interop.views import capture, events

app_name = "interop"

# Mounted at /epcis/ (config/urls.py).
urlpatterns = [
    path("", events.root, name="root"),
    path("capture", capture.capture, name="capture"),
    path("capture/<str:capture_id>", capture.capture_job, name="capture-job"),
    path("events", events.events, name="events"),
    path("events/<path:event_id>", events.event, name="event"),
]
