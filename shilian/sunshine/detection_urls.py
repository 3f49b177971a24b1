"""The inspectors' review of assistive detections (``/r/detections/``)."""

from django.urls import URLPattern, path

from shilian.sunshine.views import detections

urlpatterns: list[URLPattern] = [
    path("r/detections/", detections.detection_list, name="detection_list"),
    path("r/detections/<int:pk>/", detections.detection_detail, name="detection_detail"),
    path("r/detections/<int:pk>/review/", detections.detection_review, name="detection_review"),
    path("r/detections/<int:pk>/finding/", detections.detection_finding, name="detection_finding"),
    path("r/detections/<int:pk>/snapshot.jpg", detections.detection_snapshot, name="detection_snapshot"),
]
