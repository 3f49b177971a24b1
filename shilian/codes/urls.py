from django.urls import path

from shilian.codes import views

app_name = "codes"

urlpatterns = [
    path("w/lots/<int:pk>/labels/", views.lot_labels, name="lot_labels"),
    path("w/lots/<int:pk>/code/", views.issue_lot_code, name="issue_lot_code"),
    path("w/lots/<int:pk>/code.<str:fmt>", views.lot_symbol, name="lot_symbol"),
    path("w/labels/<int:pk>/", views.label_job, name="label_job"),
    path("w/labels/<int:pk>/file/", views.label_job_file, name="label_job_file"),
]
