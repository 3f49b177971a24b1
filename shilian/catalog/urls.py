from django.urls import path

from shilian.catalog import views

app_name = "catalog"

urlpatterns = [
    path("w/products/", views.product_list, name="product_list"),
]
