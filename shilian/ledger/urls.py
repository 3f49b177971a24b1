from django.urls import path

from shilian.ledger import views

app_name = "ledger"

urlpatterns = [
    path("ledger/roots/", views.roots, name="roots"),
    path("ledger/roots/<str:day>.json", views.root, name="root"),
    path("ledger/lots/<path:ref>", views.lot_proof, name="lot"),
]
