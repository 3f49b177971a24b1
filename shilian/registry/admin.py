"""Registry admin for platform administrators: every save leaves a history row."""

from typing import Any

from django.contrib import admin

from shilian.core.history import record
from shilian.registry.models import Enterprise, Jurisdiction, Partner, Role, StaffMember


class HistoryAdmin(admin.ModelAdmin):
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            f"admin.{obj._meta.model_name}.{'change' if change else 'add'}",
            obj,
            acting_user=request.user,
            changed=sorted(form.changed_data),
        )

    def delete_model(self, request: Any, obj: Any) -> None:
        record(f"admin.{obj._meta.model_name}.delete", obj, acting_user=request.user)
        super().delete_model(request, obj)


@admin.register(Jurisdiction)
class JurisdictionAdmin(HistoryAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryAdmin):
    list_display = ["name", "kind", "uscc", "licence_no", "jurisdiction"]
    search_fields = ["name", "uscc", "licence_no"]
    list_filter = ["kind"]
    raw_id_fields = ["jurisdiction"]


@admin.register(Role)
class RoleAdmin(HistoryAdmin):
    list_display = ["user", "kind", "enterprise", "jurisdiction"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "enterprise", "jurisdiction"]


@admin.register(StaffMember)
class StaffMemberAdmin(HistoryAdmin):
    list_display = ["name", "enterprise", "post", "health_certificate_expires", "active"]
    raw_id_fields = ["enterprise"]


@admin.register(Partner)
class PartnerAdmin(HistoryAdmin):
    list_display = ["name", "enterprise", "kind", "linked_enterprise"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["enterprise", "linked_enterprise"]
