from django.urls import path

from shilian.codes.scanning import views

app_name = "scanning"

urlpatterns = [
    path("w/receive/scan/", views.receive_scan, name="receive_scan"),
]
