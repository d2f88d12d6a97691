from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.admin_scope import AuditedAdminMixin, RoleScopedAdmin
from config.roles import scope_of
from personnel.models import Assignment, Leave, Person, Qualification, User
from personnel.selectors import people_in_scope, people_with_placement
from personnel.services import assignment_start
from stations.admin_filters import StationInScopeFilter
from stations.models import Unit


class CurrentStationFilter(StationInScopeFilter):
    title = _("current station")
    lookup = "station_id_now"  # annotated by people_with_placement


class TenureFilter(admin.SimpleListFilter):
    title = _("years in current post")
    parameter_name = "tenure"

    BANDS = {"lt2": (None, 2), "2to5": (2, 5), "ge5": (5, None)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("lt2", _("under 2")), ("2to5", _("2 to 5")), ("ge5", _("5 or more"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        band = self.BANDS.get(self.value() or "")
        if band is None:
            return queryset
        today = timezone.localdate()
        low, high = band
        if low is not None:
            queryset = queryset.filter(post_since__lte=today.replace(year=today.year - low))
        if high is not None:
            queryset = queryset.filter(post_since__gt=today.replace(year=today.year - high))
        return queryset


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "person"
    extra = 0
    fields = ("unit", "start_date", "end_date", "source", "reason", "created_by")
    readonly_fields = fields
    ordering = ["-start_date"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return super().get_queryset(request).select_related("unit__station", "created_by")


@admin.register(Person)
class PersonAdmin(RoleScopedAdmin):
    list_display = [
        "number",
        "name",
        "kind",
        "post",
        "rank",
        "current_station",
        "current_unit",
        "status",
        "law_enforcement_level",
        "is_investigator",
        "post_since",
        "movable",
    ]
    list_filter = [
        CurrentStationFilter,
        "kind",
        "status",
        "post",
        "law_enforcement_level",
        "is_investigator",
        "movable",
        TenureFilter,
    ]
    search_fields = ["number", "name"]
    list_per_page = 50
    filter_horizontal = ["qualifications"]
    inlines = [AssignmentInline]
    fieldsets = [
        (None, {"fields": ["number", "name", "kind", "sex", "birth_date"]}),
        (_("Post"), {"fields": ["rank", "post", "post_since", "hire_date", "movable"]}),
        (_("Qualifications"), {"fields": ["law_enforcement_level", "is_investigator", "qualifications"]}),
        (_("Status"), {"fields": ["status", "seconded_to"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return people_with_placement(super().get_queryset(request))

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return people_in_scope(queryset, station_id=station_id)

    @admin.display(description=_("station"), ordering="station_name_now")
    def current_station(self, person: Any) -> str:
        return person.station_name_now or "–"

    @admin.display(description=_("unit"))
    def current_unit(self, person: Any) -> str:
        return str(Unit.Kind(person.unit_kind_now).label) if person.unit_kind_now else "–"


@admin.register(Assignment)
class AssignmentAdmin(RoleScopedAdmin):
    """Assignment history is append-only: a new assignment closes the one in force, nothing is edited."""

    station_lookup = "unit__station_id"
    list_display = ["person", "unit", "start_date", "end_date", "source", "reason", "created_by"]
    list_filter = ["source", "unit__kind", ("unit__station", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__number", "person__name", "unit__station__name"]
    list_select_related = ["person", "unit__station", "created_by"]
    autocomplete_fields = ["person", "unit"]
    date_hierarchy = "start_date"
    fields = ["person", "unit", "start_date", "reason"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Assignment, form: ModelForm[Any], change: bool) -> None:
        saved = assignment_start(
            person=obj.person,
            unit=obj.unit,
            start_date=obj.start_date,
            source=Assignment.Source.MANUAL,
            reason=obj.reason,
            by=request.user if isinstance(request.user, User) else None,
        )
        obj.pk = saved.pk


@admin.register(Leave)
class LeaveAdmin(RoleScopedAdmin):
    list_display = ["person", "kind", "start_date", "end_date", "days", "status", "reason"]
    list_filter = ["status", "kind"]
    search_fields = ["person__number", "person__name"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    date_hierarchy = "start_date"

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return queryset.filter(person__in=people_in_scope(Person.objects.all(), station_id=station_id))


@admin.register(Qualification)
class QualificationAdmin(RoleScopedAdmin):
    list_display = ["code", "name", "name_en", "officer_only"]
    search_fields = ["code", "name", "name_en"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Accounts are managed by operators (superusers); planners and auditors may read the list.
    Every change (role, station, active, staff, superuser, groups, permissions) is audited."""

    audit_prefix = "account"

    list_display = ["username", "first_name", "last_name", "role", "station", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["station"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Role and scope"), {"fields": ["role", "station"]}),
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        scope = scope_of(request.user)
        return scope.can_read and scope.station_id is None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
