from django.contrib import admin

from shilian.core.models import ApiToken, HistoryEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """History and the chain are append-only: the admin shows them, never edits them."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "acting_user", "subject_type", "subject_id", "jurisdiction_code"]
    list_filter = ["action"]
    search_fields = ["subject_id", "jurisdiction_code"]
    date_hierarchy = "created_at"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # tokens are issued by `shilian token create`, which shows the secret once
