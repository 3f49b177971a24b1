from django.contrib import admin

from shilian.core.admin import ReadOnlyAdmin
from shilian.scan.models import ConsumerReport, CounterfeitFlag, Scan


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["scanned_at", "kind", "source", "gtin", "lot_code", "serial", "short_code", "ua_family", "platform"]
    list_filter = ["kind", "source", "ua_family", "platform"]
    date_hierarchy = "scanned_at"


@admin.register(ConsumerReport)
class ConsumerReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "lot", "enterprise", "jurisdiction_code"]
    list_filter = ["kind"]


@admin.register(CounterfeitFlag)
class CounterfeitFlagAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "reason", "lot", "serial", "scans", "clients"]
    list_filter = ["reason"]
