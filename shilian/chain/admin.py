from django.contrib import admin

from shilian.chain.models import Document, EventLine, Lot, Recall, TraceEvent
from shilian.core.admin import ReadOnlyAdmin


class EventLineInline(admin.TabularInline):
    model = EventLine
    extra = 0
    can_delete = False
    readonly_fields = ["lot", "role", "quantity", "unit"]
    fields = ("lot", "role", "quantity", "unit")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TraceEvent)
class TraceEventAdmin(ReadOnlyAdmin):
    list_display = ["pk", "event_type", "enterprise", "occurred_at", "recorded_by", "voids"]
    list_filter = ["event_type"]
    date_hierarchy = "occurred_at"
    inlines = [EventLineInline]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["product_name", "code", "enterprise", "quantity_on_hand", "unit", "status", "expires_on"]
    list_filter = ["status", "test_status", "origin"]
    search_fields = ["code", "product_name"]


@admin.register(Recall)
class RecallAdmin(ReadOnlyAdmin):
    list_display = ["reference", "root_lot", "started_by", "started_at"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "enterprise", "size", "uploaded_at"]
