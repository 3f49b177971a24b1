from django.contrib import admin

from shilian.codes.models import LabelJob, SerialRange, ShortCode
from shilian.core.admin import ReadOnlyAdmin


@admin.register(ShortCode)
class ShortCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "lot", "enterprise", "issued_at"]
    search_fields = ["code"]


@admin.register(SerialRange)
class SerialRangeAdmin(ReadOnlyAdmin):
    list_display = ["lot", "first", "last", "enterprise", "issued_at"]


@admin.register(LabelJob)
class LabelJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "lot", "layout", "symbol", "total", "done", "status", "created_at"]
    list_filter = ["status", "layout"]
