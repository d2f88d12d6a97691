"""The audit trail in the admin: auditors and planners browse and filter it; nobody changes it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from audit.models import AuditEvent
from config.roles import Role, scope_of


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "role", "address", "action", "object_repr", "outcome"]
    list_filter = ["outcome", "role", "channel", "action"]
    search_fields = ["username", "action", "object_repr", "object_id", "detail"]
    date_hierarchy = "at"
    list_per_page = 100

    def _may_read(self, request: HttpRequest) -> bool:
        scope = scope_of(request.user)
        user: Any = request.user
        return scope.can_read and not scope.is_station_bound and (user.is_superuser or user.role in Role.values)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_read(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_read(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
