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


def _field_values(form: Any, names: list[str], *, initial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        value = form.initial.get(name) if initial else form.cleaned_data.get(name)
        if isinstance(value, QuerySet | list | tuple | set):
            value = sorted(str(v.pk if isinstance(v, Model) else v) for v in value)
        elif isinstance(value, Model):
            value = value.pk
        values[name] = value
    return values


class AuditedAdminMixin:
    """Every add, change and delete made through the admin goes into the audit trail, with the changed
    fields before and after, in the admin's own transaction. `audit_prefix` names the actions."""

    audit_prefix = "admin"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from audit.services import audit_record

        # Many-to-many fields are saved later (save_related) but their new values are known now.
        changed = list(form.changed_data)
        before = _field_values(form, changed, initial=True) if change else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        audit_record(
            action=f"{self.audit_prefix}.{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=_field_values(form, changed, initial=False),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        from audit.services import audit_record

        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            audit_record(action=f"{self.audit_prefix}.add", obj=obj, after={"parent": str(form.instance)})
        for obj, fields in formset.changed_objects:
            audit_record(action=f"{self.audit_prefix}.change", obj=obj, after={"fields": fields})
        for obj in formset.deleted_objects:
            audit_record(action=f"{self.audit_prefix}.delete", obj=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from audit.services import audit_record

        audit_record(action=f"{self.audit_prefix}.delete", obj=obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        from audit.services import audit_record

        for obj in queryset:
            audit_record(action=f"{self.audit_prefix}.delete", obj=obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class RoleScopedAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
