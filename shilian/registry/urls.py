from django.urls import path

from shilian.registry import views

app_name = "registry"

urlpatterns = [
    path("w/pick/", views.pick_enterprise, name="pick_enterprise"),
    path("w/partners/", views.partner_list, name="partner_list"),
    path("w/staff/", views.staff_list, name="staff_list"),
    path("r/", views.enterprise_list, name="enterprise_list"),
]
