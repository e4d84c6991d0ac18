from django.contrib import admin

from peerpath.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is written by services and never edited."""

    list_display = ["occurred_at", "action", "actor_label", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
