"""Rosters in the admin: patterns and the holiday calendar for planners to edit; rosters to read.

Rosters change only through their pages (which call the services, with checks and audit), so their admin
is read-only for everyone; chiefs see their own station's rows only. Calendar links are made on the roster
pages (their secret is shown once there); the admin lists them and lets planners revoke them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.forms import ModelForm, model_to_dict
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.services import audit_record
from config.admin_scope import RoleScopedAdmin
from rosters.models import (
    CalendarDay,
    FeedToken,
    Roster,
    RosterShortfall,
    ShiftPattern,
    ShiftRequest,
    ShiftType,
)
from rosters.services import can_manage_feed_anywhere, feed_people, feed_token_revoke


class AuditedAdmin(RoleScopedAdmin):
    """Planners' edits of the rules rosters are built with go into the audit trail, before and after."""

    audit_name = "roster.admin"

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        with transaction.atomic():
            before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(
                action=f"{self.audit_name}_{'change' if change else 'add'}",
                obj=obj,
                by=request.user,
                before=before,
                after=model_to_dict(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            audit_record(action=f"{self.audit_name}_delete", obj=obj, by=request.user, before=model_to_dict(obj))
            super().delete_model(request, obj)


class ShiftTypeInline(admin.TabularInline):
    model = ShiftType
    extra = 0
    fields = ("code", "name", "start", "hours", "night", "leader_shift", "order")


@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedAdmin):
    audit_name = "roster.pattern"
    station_lookup = "station_id"
    list_display = ["code", "name", "kind", "station", "groups", "min_rest_hours", "max_consecutive_days", "active"]
    list_filter = ["kind", "is_builtin", "active"]
    list_select_related = ["station"]
    search_fields = ["code", "name"]
    inlines = [ShiftTypeInline]
    readonly_fields = ["is_builtin"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        # Chiefs read the built-in patterns and their own station's.
        return queryset.filter(Q(station__isnull=True) | Q(station_id=station_id))


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    audit_name = "roster.calendar"
    list_display = ["date", "kind", "name", "statutory"]
    list_filter = ["kind", "statutory"]
    date_hierarchy = "date"
    search_fields = ["name"]
    planner_can_delete = True  # a wrong holiday must be removable


class RosterShortfallInline(admin.TabularInline):
    model = RosterShortfall
    extra = 0
    can_delete = False
    fields = ("day", "shift", "kind", "required", "assigned")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[RosterShortfall]:
        return super().get_queryset(request).select_related("shift")


@admin.register(Roster)
class RosterAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    planner_can_write = False  # status and cells change through the roster pages and their services
    list_display = ["id", "station", "pattern", "start_date", "days", "version", "status", "generation", "objective"]
    list_filter = ["status", "generation", "pattern"]
    list_select_related = ["station", "pattern"]
    search_fields = ["station__code", "station__name"]
    readonly_fields = [f.name for f in Roster._meta.fields]
    inlines = [RosterShortfallInline]


@admin.register(ShiftRequest)
class ShiftRequestAdmin(AuditedAdmin):
    audit_name = "roster.request"
    station_lookup = "station_id"
    list_display = ["day", "person", "shift_code", "want", "weight", "reason", "station"]
    list_filter = ["want"]
    list_select_related = ["person", "station"]
    raw_id_fields = ["person"]
    date_hierarchy = "day"


@admin.register(FeedToken)
class FeedTokenAdmin(RoleScopedAdmin):
    """Who has a calendar link, who made it and who revoked it. Nothing is added or edited here (a link's
    secret exists only when the roster page makes it); planners revoke with the action, through the same
    service and audit as the page. Chiefs see the links of the people their own pages manage: assigned to
    the station now or on one of its rosters."""

    planner_can_write = False
    list_display = ["person", "live", "created_at", "created_by", "revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person", "created_by", "revoked_by"]
    search_fields = ["person__name", "person__number"]
    fields = ["person", "created_at", "created_by", "revoked_at", "revoked_by"]  # not the digest
    readonly_fields = ["person", "created_at", "created_by", "revoked_at", "revoked_by"]
    date_hierarchy = "created_at"
    actions = ["revoke_links"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return queryset.filter(person__in=feed_people(station_id))

    @admin.display(boolean=True, description=_("live"))
    def live(self, obj: FeedToken) -> bool:
        return obj.revoked_at is None

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return can_manage_feed_anywhere(request.user)

    @admin.action(description=_("Revoke the selected calendar links"), permissions=["revoke"])
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[FeedToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("person"):
            revoked += feed_token_revoke(person=token.person, by=request.user)
        self.message_user(
            request,
            ngettext("%(n)d calendar link revoked.", "%(n)d calendar links revoked.", revoked) % {"n": revoked},
        )
