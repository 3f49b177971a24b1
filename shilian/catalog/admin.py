from django.contrib import admin

from shilian.catalog.models import Product
from shilian.registry.admin import HistoryAdmin


@admin.register(Product)
class ProductAdmin(HistoryAdmin):
    list_display = ["name", "specification", "gtin", "enterprise", "category", "shelf_life_days"]
    search_fields = ["name", "gtin"]
    list_filter = ["category", "kind"]
    raw_id_fields = ["enterprise"]
