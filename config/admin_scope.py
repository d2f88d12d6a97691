"""A ModelAdmin base that applies the roles of config.roles to every admin page.

Deny by default: Django's per-model permissions are not consulted; the role decides. Chiefs see only
rows of their own station, auditors see everything and change nothing, planners change what the admin
class allows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from config.roles import scope_of


class RoleScopedAdmin(admin.ModelAdmin):
    #: Lookup from this model to the id of the station it belongs to; None means the model is not
    #: station-bound (e.g. categories) and chiefs see all of it read-only.
    station_lookup: str | None = None
    #: Planners may add and change through the admin; deleting is opt-in (history must not vanish).
    planner_can_write: bool = True
    planner_can_delete: bool = False

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        if self.station_lookup is None:
            return queryset
        return queryset.filter(**{self.station_lookup: station_id})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        if not scope.can_read:
            return queryset.none()
        if scope.station_id is not None:
            return self.scope_queryset(queryset, scope.station_id)
        return queryset

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        scope = scope_of(request.user)
        if not scope.can_read:
            return False
        if obj is None or scope.station_id is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return scope_of(request.user).can_read

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.planner_can_write and scope_of(request.user).can_write

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.planner_can_write and scope_of(request.user).can_write and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.planner_can_delete and scope_of(request.user).can_write and self._in_scope(request, obj)
